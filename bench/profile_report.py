"""The report's profile section: where the full pipeline's time goes, and the levers.

The levers follow the profile's shares and call counts, not what the code is thought
to do, so they stay true while `src/` changes.
"""

from __future__ import annotations

from typing import Any

from operations import FULL_PIPELINE, RESPONSE_CACHE
from profiling import HANDLER, JSON_ENCODING, OUR_MIDDLEWARE, SIGNATURES, THREADPOOL, VALIDATION
from targets import (
    CACHE_NOISE,
    TARGET_FULL_RATIO,
    TARGET_P99_MS,
    mock_row,
    prism_row,
    ratio,
    times,
    within_noise,
)

NAMED_SHARE = 0.005
"""A component's share of the app's time below which the report does not name it."""
QUIET_NOISE = 0.05
"""The quiet diagnostic and the served mock closer than this (relative req/s): alike."""


def profile_section(profile: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The profile's tables, then where the time goes and the levers."""
    headers = ", ".join(f"`{k}: {v}`" for k, v in profile.get("extra_headers", {}).items())
    lines = [
        "## Profile: where the full pipeline's time goes",
        "",
        f"cProfile over {profile['requests']} Unpod requests (page_size=20) through "
        "Starlette's TestClient against `create_app(load_stores(42))`, in-process. Every "
        f"profiled request carries {headers or 'no extra header'}, so each one runs the "
        "full pipeline (routing, auth, request validation, handler, JSON encoding) rather "
        "than being answered by the response cache. Every thread the app ran on is "
        f"profiled ({_threads(profile['threads_profiled'])}) and merged; TestClient's "
        "own machinery (portal, event loop, waits) is left out of the tables. "
        f"{profile['ms_per_request_unprofiled']:.2f} ms per request unprofiled "
        f"(TestClient included), {profile['ms_per_request_profiled']:.2f} ms profiled, of "
        f"which the app's own code {profile['app_ms_per_request_profiled']:.2f} ms. "
        "Coroutine resumptions count as calls, so `calls` of async middlewares exceed the "
        "requests. Full listing: `bench/results/profile.txt`, `profile.prof` "
        "(`python -m pstats`).",
        "",
        "Top 15 by cumulative time. The top of the list is the chain of middlewares "
        "every request passes through, outermost first; each adds little own time, the "
        "cost is further in (see the components below):",
        "",
        "| # | function | calls | own s | cumulative s | ms/request |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for index, row in enumerate(profile["top_cumulative"], 1):
        lines.append(
            f"| {index} | `{row['function']}` | {row['calls']} | {row['own_s']:.3f} "
            f"| {row['cumulative_s']:.3f} | {row['cumulative_ms_per_request']:.3f} |"
        )
    lines += [
        "",
        "Own time by component (a built-in's time goes to its caller's component):",
        "",
        "| component | ms/request (profiled) | share |",
        "|---|---:|---:|",
    ]
    for name, figures in profile["components"].items():
        lines.append(f"| {name} | {figures['ms_per_request']:.3f} | {figures['share']:.0%} |")
    lines += ["", "Top 15 by own time:", "", "| function | calls | own s |", "|---|---:|---:|"]
    for row in profile["top_own"]:
        lines.append(f"| `{row['function']}` | {row['calls']} | {row['own_s']:.3f} |")
    lines += ["", *_where_time_goes(profile, report), "", *_levers(profile, report)]
    return lines


def _threads(count: int) -> str:
    if count == 1:
        return "1: TestClient's event loop; no worker thread ran a handler"
    return f"{count}: TestClient's event loop and anyio worker threads running sync handlers"


def _share(profile: dict[str, Any], *prefixes: str) -> float:
    return sum(
        figures["share"]
        for name, figures in profile["components"].items()
        if name.startswith(prefixes)
    )


def _served(report: dict[str, Any]) -> str:
    """The served full pipeline on the Unpod operation, against the throughput target."""
    full = mock_row(report, "unpod", FULL_PIPELINE.key)
    prism = prism_row(report, "prism_static", "unpod")
    if not full or not prism:
        return ""
    rps, cpu = full["wrk"]["rps"], full["cpu_ms_per_request"]
    connections = report["load"]["connections"]
    needed = TARGET_FULL_RATIO * prism["wrk"]["rps"]
    budget = 1000 / needed
    bound = " bound by CPU" if full["cpu_utilisation"] >= 0.9 else ""
    text = (
        f" Served, the mock is one Python process{bound}: on the Unpod operation's full "
        f"pipeline it used {full['cpu_utilisation']:.0%} of a core, {cpu:.2f} ms of CPU "
        f"per request. With {connections} connections always busy its mean latency is "
        f"{connections} / {rps:.0f} req/s = {connections * 1000 / rps:.0f} ms (Little's "
        f"law), so p99 < {TARGET_P99_MS:g} ms needs more than "
        f"{connections * 1000 / TARGET_P99_MS:.0f} req/s: a throughput target. "
        f"{TARGET_FULL_RATIO:g}x Prism static ({needed:.0f} req/s) leaves {budget:.2f} ms of CPU "
        "per request on one core"
    )
    if cpu > budget:
        return text + f", {cpu / budget:.1f} times less than the full pipeline uses."
    return text + ", and the full pipeline stays within it."


def _where_time_goes(profile: dict[str, Any], report: dict[str, Any]) -> list[str]:
    handler = _share(profile, HANDLER)
    ours = _share(profile, OUR_MIDDLEWARE)
    encoding = _share(profile, JSON_ENCODING)
    framework = 1 - handler - ours - encoding
    text = (
        "**Where the full pipeline's time goes.**"
        + _served(report)
        + f" In-process, the app's own time per request is {handler:.0%} our handler and "
        "wire code (access checks, the page, twenty invoice forms looked up in the "
        "render-once memo), "
        f"{ours:.0%} our middlewares and validation hook, and {framework:.0%} the framework "
        f"around them: {'; '.join(_framework_parts(profile))}; JSON encoding "
        f"{encoding:.1%}. cProfile inflates many small Python calls, so the shares are "
        "indicative."
    )
    return [text, *_quiet(report)]


def _framework_parts(profile: dict[str, Any]) -> list[str]:
    """The framework's components with a share worth naming, with their call counts."""
    calls = profile.get("calls_per_request", {})
    validators = calls.get("jsonschema_validators_built", 0)
    parts = [
        (
            _share(profile, "connexion: handler decorators"),
            "connexion's handler decorators (built once per operation, "
            "`server/connexion_internals.py`; binding parameters and building the response "
            "per request) {:.0%}",
        ),
        (
            _share(profile, SIGNATURES),
            "`inspect.signature` of the handler and the security function {:.0%} "
            f"({calls.get('inspect_signature', 0):g} calls per request)",
        ),
        (
            _share(profile, VALIDATION, "jsonschema"),
            "request validation and query parsing {:.0%}"
            + (
                f", building {validators:g} jsonschema validators per request" if validators else ""
            ),
        ),
        (_share(profile, "starlette"), "Starlette's routing, headers and responses {:.0%}"),
        (_share(profile, THREADPOOL), "the hop to a worker thread for a sync handler {:.0%}"),
    ]
    return [text.format(share) for share, text in parts if share >= NAMED_SHARE]


def _quiet(report: dict[str, Any]) -> list[str]:
    """The `mock-quiet` diagnostic against `billing-mock serve`, on the same requests."""
    served = mock_row(report, "unpod", RESPONSE_CACHE.key)
    quiet = report.get("mock_quiet")
    if not served or not quiet:
        return []
    loud = served["wrk"]["rps"]
    calm = quiet["measurements"][0]["wrk"]["rps"]
    if abs(calm / loud - 1) < QUIET_NOISE:
        verdict = "within run-to-run noise: `billing-mock serve` adds nothing measurable."
    elif calm > loud:
        verdict = (
            "beyond run-to-run noise: something `billing-mock serve` adds per request "
            "(logging, for one) costs throughput."
        )
    else:
        verdict = (
            "slower: what `billing-mock serve` adds is its connection handling "
            "(`server/connections.py`: httptools with each response's head and body written "
            "as one), which uvicorn's own default lacks."
        )
    return [
        "",
        "Outside the profile: `mock-quiet`, the same app run by `uvicorn.run` directly with "
        "uvicorn's access log off and without `billing_mock.cli`, served "
        f"{calm:.0f} req/s against `billing-mock serve`'s {loud:.0f} on the same requests "
        f"({times(ratio(calm, loud))}), {verdict}",
    ]


def _levers(profile: dict[str, Any], report: dict[str, Any]) -> list[str]:
    handler = _share(profile, HANDLER)
    encoding = _share(profile, JSON_ENCODING)
    cap = 1 / max(1 - handler - encoding, 0.01)
    return [
        "**Levers on the full pipeline** (the benchmark reports them; it changes nothing "
        "in `src/`):",
        "",
        *_cache_lever(report),
        "- *More rendered once behind connexion* (whole pages as JSON bytes per world "
        "version, beyond the invoice forms already memoised) saves only the handler, wire "
        f"and encoding work, {handler + encoding:.0%}: at most {cap:.1f}x on the app's time, "
        "and less served.",
        f"- *A faster JSON encoder* (orjson through connexion's jsonifier): {encoding:.1%} "
        "of the app's time; not a lever on its own.",
        *_framework_lever(profile),
        *_workers_lever(report),
    ]


def _workers_lever(report: dict[str, Any]) -> list[str]:
    """Workers over a shared state backend, as measured in this run."""
    one = mock_row(report, "unpod", FULL_PIPELINE.key)
    many = mock_row(report, "unpod", FULL_PIPELINE.key, "mock_workers")
    if not one or not many:
        return []
    return [
        "- *Workers over a shared backend* (`--state sqlite:`, a worker per core unless "
        f"`--workers` says otherwise): on the Unpod operation the full pipeline served "
        f"{many['wrk']['rps']:.0f} req/s against one in-memory worker's "
        f"{one['wrk']['rps']:.0f} ({times(ratio(many['wrk']['rps'], one['wrk']['rps']))}), "
        f"on {report.get('cores', '?')} cores that wrk shares. State is in the backend, "
        "so a write on one worker is read on the next request on any other; each request "
        "first reads the backend's version (the SQLite rows' cost is in that figure).",
    ]


def _cache_lever(report: dict[str, Any]) -> list[str]:
    cached = mock_row(report, "unpod", RESPONSE_CACHE.key)
    full = mock_row(report, "unpod", FULL_PIPELINE.key)
    if not cached or not full:
        return []
    speedup = ratio(cached["wrk"]["rps"], full["wrk"]["rps"])
    measured = (
        f"within {CACHE_NOISE:.0%} of each other, so no cache effect was measured on it"
        if within_noise(speedup)
        else f"{times(speedup)} the full pipeline's throughput"
    )
    return [
        "- *A response cache in front of connexion* answers an identical repeated GET "
        "without any of the above. On the Unpod operation in this run the response-cache "
        f"row served {cached['wrk']['rps']:.0f} req/s and the full pipeline "
        f"{full['wrk']['rps']:.0f}: {measured}. Every request the cache cannot answer "
        "(the first of its kind, one after a state change, one with `Cache-Control: "
        f"no-cache`) costs the full pipeline's {full['cpu_ms_per_request']:.2f} ms of CPU.",
    ]


def _framework_lever(profile: dict[str, Any]) -> list[str]:
    calls = profile.get("calls_per_request", {})
    threadpool = _share(profile, THREADPOOL)
    validation = _share(profile, VALIDATION, "jsonschema")
    connexion_own = _share(profile, "connexion: handler decorators", SIGNATURES)
    parts = []
    if threadpool >= NAMED_SHARE:
        parts.append(f"`async def` handlers would skip the thread hop ({threadpool:.0%})")
    if calls.get("jsonschema_validators_built", 0) > 0:
        parts.append(
            "jsonschema validators built once per parameter schema rather than "
            f"{calls['jsonschema_validators_built']:g} per request (validation and query "
            f"parsing {validation:.0%})"
        )
    if profile.get("swagger_ui_middleware_runs"):
        parts.append(
            "Swagger UI served by a plain route rather than by a middleware in front of "
            "every request (its routing is in Starlette's share)"
        )
    if calls.get("inspect_signature", 0) > 0:
        parts.append(
            "connexion's security layer calling `inspect.signature` "
            f"{calls['inspect_signature']:g} times per request and its decorators' own work "
            f"({connexion_own:.0%}) are connexion's: an upstream fix, or a further patch in "
            "`server/connexion_internals.py`"
        )
    ours = _share(profile, OUR_MIDDLEWARE)
    parts.append(f"dropping our own middlewares gains at most their {ours:.0%}")
    return ["- *Less per-request framework work.* " + "; ".join(parts) + "."]
