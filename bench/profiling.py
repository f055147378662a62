"""cProfile of the Unpod operation's full pipeline, and its time split by component.

In-process through Starlette's TestClient, in a child process of its own (`run.py
profile`); components are ours, connexion's, Starlette's, jsonschema's, ...
"""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from operations import FULL_PIPELINE, SEED, load_credentials, operations
from paths import RESULTS, ROOT, RUN_SCRIPT
from progress import say

if TYPE_CHECKING:
    from starlette.testclient import TestClient

PLUMBING = (
    "asyncio/",
    "/threading.py",
    "/queue.py",
    "/selectors.py",
    "concurrent/futures/",
    "anyio/from_thread.py",
    "anyio/streams/",
    "anyio/_core/_eventloop.py",
    "starlette/testclient.py",
    "httpx/",
    "httpcore/",
)
"""Files of TestClient's own machinery: its portal thread, event loop, client side."""
PLUMBING_FUNCTIONS = (
    ("~", "<method 'acquire' of '_thread.lock' objects>"),
    ("~", "<method 'poll' of 'select.epoll' objects>"),
    ("~", "<method 'run' of '_contextvars.Context' objects>"),
    ("~", "<method 'recv' of '_socket.socket' objects>"),
    ("~", "<method 'send' of '_socket.socket' objects>"),
    ("anyio/_core/_tasks.py", "_run_coro"),
    ("anyio/_backends/_asyncio.py", "wrapper"),
    ("anyio/_backends/_asyncio.py", "run"),
)
"""Waits and portal hand-offs: TestClient's tasks, the worker thread's wait loop."""
HANDLER = "billing_mock: handler, wire, domain"
OUR_MIDDLEWARE = "billing_mock: middlewares, validation hook"
VALIDATION = "connexion: request validation, query parsing"
SIGNATURES = "connexion: inspect.signature of the handler, per request"
THREADPOOL = "anyio: threadpool hop for the sync handler"
JSON_ENCODING = "JSON encoding (json module)"
COMPONENTS = (
    (
        OUR_MIDDLEWARE,
        (
            "billing_mock/steering",
            "billing_mock/request_state",
            "billing_mock/response_cache",
            "billing_mock/valid",
        ),
    ),
    (HANDLER, ("billing_mock/",)),
    (VALIDATION, ("connexion/validators/", "connexion/middleware/request_", "connexion/uri_")),
    ("connexion: security", ("connexion/security", "connexion/middleware/security")),
    ("connexion: handler decorators (parameters, response)", ("connexion/decorators/",)),
    ("connexion: middleware stack, routing, context", ("connexion/",)),
    ("jsonschema (parameter validation)", ("jsonschema", "referencing/", "rpds")),
    (JSON_ENCODING, ("/json/",)),
    ("starlette: middleware, routing, responses", ("starlette/",)),
    (THREADPOOL, ("anyio/to_thread.py",)),
    ("werkzeug (connexion's request proxy)", ("werkzeug/",)),
)
"""Who owns a function, by file. Anything else (built-ins, the rest of the standard
library and of anyio) is a helper: its time goes to the components of its callers."""
FUNCTION_COMPONENTS = {
    "run_sync_in_worker_thread": THREADPOOL,
    "inspect_function_arguments": SIGNATURES,
}
"""Who owns a function, by name, before the files are looked at."""
CALL_COUNTS = {
    "inspect_signature": ("/inspect.py", "signature"),
    "jsonschema_validators_built": ("jsonschema.validators", "__init__"),
}
"""Plain functions whose calls per request the report quotes, by (file part, name).
Only plain ones: cProfile counts every resumption of a coroutine as a call."""
SWAGGER_UI_MIDDLEWARE = "connexion/middleware/swagger_ui.py"

Key = tuple[str, int, str]


def _is_plumbing(key: Key) -> bool:
    filename, _, function = key
    if any(part in filename and function == name for part, name in PLUMBING_FUNCTIONS):
        return True
    return filename != "~" and any(part in filename for part in PLUMBING)


def _component(key: Key) -> str | None:
    filename, _, function = key
    if filename == "~":
        return None
    if function in FUNCTION_COMPONENTS:
        return FUNCTION_COMPONENTS[function]
    for name, parts in COMPONENTS:
        if any(part in filename for part in parts):
            return name
    return None


def _label(key: Key) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({function})"


class ProfileView:
    """Merged cProfile stats seen without TestClient's machinery.

    A helper's own time (a built-in, `re.sub`, `inspect.signature`, ...) is split over
    its callers in proportion to the time spent under each, up the call graph until a
    caller has a component; what reaches TestClient's machinery is left out with it.
    """

    def __init__(self, stats: pstats.Stats) -> None:
        self.raw: dict[Key, Any] = stats.stats  # type: ignore[attr-defined]
        self._memo: dict[Key, dict[str, float]] = {}

    def shares(self, key: Key, seen: frozenset[Key] = frozenset()) -> dict[str, float]:
        """The components `key`'s own time belongs to, as fractions (empty: plumbing)."""
        if _is_plumbing(key):
            return {}
        component = _component(key)
        if component:
            return {component: 1.0}
        if key in self._memo:
            return self._memo[key]
        callers = {c: v[3] for c, v in self.raw[key][4].items() if c not in seen}
        total = sum(callers.values())
        if total <= 0:
            return {"other": 1.0}
        result: dict[str, float] = {}
        for caller, weight in callers.items():
            for name, share in self.shares(caller, seen | {key}).items():
                result[name] = result.get(name, 0.0) + share * weight / total
        self._memo[key] = result
        return result

    def is_app(self, key: Key) -> bool:
        """Mostly the app's work, not TestClient's."""
        return sum(self.shares(key).values()) >= 0.5

    def components(self) -> dict[str, float]:
        """Own seconds by component, largest first."""
        totals: dict[str, float] = {}
        for key, figures in self.raw.items():
            for name, share in self.shares(key).items():
                totals[name] = totals.get(name, 0.0) + figures[2] * share
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def rows(self, sort: int, count: int, requests: int) -> list[dict[str, Any]]:
        """The top `count` of the app's functions by own (2) or cumulative (3) time."""
        keys = [key for key in self.raw if self.is_app(key)]
        keys.sort(key=lambda key: -self.raw[key][sort])
        rows = []
        for key in keys[:count]:
            primitive, calls, own, cumulative, _ = self.raw[key]
            rows.append(
                {
                    "function": _label(key),
                    "calls": calls if calls == primitive else f"{calls}/{primitive}",
                    "own_s": round(own, 4),
                    "cumulative_s": round(cumulative, 4),
                    "cumulative_ms_per_request": round(cumulative * 1000 / requests, 4),
                }
            )
        return rows

    def calls_per_request(self, requests: int) -> dict[str, float]:
        """Calls per request of each of `CALL_COUNTS`."""
        return {
            name: round(
                sum(
                    figures[1]
                    for (filename, _, function), figures in self.raw.items()
                    if part in filename and function == wanted
                )
                / requests,
                2,
            )
            for name, (part, wanted) in CALL_COUNTS.items()
        }

    def runs(self, part: str, name: str | None = None) -> bool:
        """Whether any profiled function (called `name`, if given) lives in a file whose path
        contains `part`.
        """
        return any(
            part in filename and name in (None, function) for filename, _, function in self.raw
        )


def profile_unpod(requests: int, out: Path) -> dict[str, Any]:
    """Profile `requests` Unpod GETs (cProfile) through TestClient on `create_app(load_stores(42))`.

    Every request carries `Cache-Control: no-cache`, so what is profiled is the full
    pipeline (routing, auth, validation, handler, JSON), not response-cache hits.
    TestClient runs the app on an event loop in its portal thread and connexion runs the
    sync handler in an anyio worker thread, so every thread started while profiling gets
    its own profiler (threading.setprofile); their stats are merged. The main thread,
    TestClient's client side, is not profiled.
    """
    # Imported here: the orchestrating process does not need connexion loaded.
    from starlette.testclient import TestClient

    from billing_mock.app import create_app
    from billing_mock.data.stores import load_stores

    unpod = operations(load_credentials())[0]
    headers = {**unpod.headers, **FULL_PIPELINE.headers}
    app = create_app(load_stores(SEED))
    with TestClient(app) as client:
        for _ in range(50):
            assert client.get(unpod.path, headers=headers).status_code == 200
        plain_ms = _ms_per_request(client, unpod.path, headers, requests)

    profilers: list[cProfile.Profile] = []

    def start_profiler(*_: object) -> None:
        sys.setprofile(None)
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()

    threading.setprofile(start_profiler)
    try:
        with TestClient(app) as client:
            profiled_ms = _ms_per_request(client, unpod.path, headers, requests)
    finally:
        threading.setprofile(None)
    return _summary(pstats.Stats(*profilers), len(profilers), plain_ms, profiled_ms, requests, out)


def _ms_per_request(client: TestClient, path: str, headers: dict[str, str], requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        client.get(path, headers=headers)
    return (time.perf_counter() - started) * 1000 / requests


def _summary(
    stats: pstats.Stats,
    threads: int,
    plain_ms: float,
    profiled_ms: float,
    requests: int,
    out: Path,
) -> dict[str, Any]:
    """The profile's figures; its stats written beside `out` (.prof, and .txt for people)."""
    stats.dump_stats(str(out.with_suffix(".prof")))
    with out.with_suffix(".txt").open("w", encoding="utf-8") as text:
        pstats.Stats(str(out.with_suffix(".prof")), stream=text).sort_stats(
            "cumulative"
        ).print_stats(60)
    view = ProfileView(stats)
    components = view.components()
    app_seconds = sum(components.values())
    return {
        "requests": requests,
        "variant": FULL_PIPELINE.key,
        "extra_headers": dict(FULL_PIPELINE.headers),
        "threads_profiled": threads,
        "ms_per_request_unprofiled": round(plain_ms, 3),
        "ms_per_request_profiled": round(profiled_ms, 3),
        "app_ms_per_request_profiled": round(app_seconds * 1000 / requests, 3),
        "components": {
            name: {
                "ms_per_request": round(seconds * 1000 / requests, 4),
                "share": round(seconds / app_seconds, 4),
            }
            for name, seconds in components.items()
        },
        "calls_per_request": view.calls_per_request(requests),
        # Its __call__, per request: building the stack at start-up runs its __init__ too.
        "swagger_ui_middleware_runs": view.runs(SWAGGER_UI_MIDDLEWARE, "__call__"),
        "top_cumulative": view.rows(3, 15, requests),
        "top_own": view.rows(2, 15, requests),
    }


def run_profile(requests: int) -> dict[str, Any]:
    """The profile, in a child process (so the profiler sees nothing else); its result."""
    out = RESULTS / "profile.json"
    command = [sys.executable, str(RUN_SCRIPT), "profile"]
    command += ["--requests", str(requests), "--out", str(out)]
    say(f"profile: {requests} in-process Unpod requests (full pipeline) under cProfile")
    subprocess.run(command, cwd=ROOT, check=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result
