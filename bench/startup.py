"""Start-up: process start to the Unpod operation's first 200, and where the time goes.

The steps (imports, build_store, create_app) are replayed in a fresh process
(`run.py startup-steps`); `python -X importtime` gives the import times.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import psutil
import yaml
from operations import SEED, Operation
from paths import OPENAPI, RESULTS, ROOT, RUN_SCRIPT
from progress import say
from servers import HOST, MB, free_port, mock_command, serving


def startup_trials(ops: Sequence[Operation], runs: int) -> list[float]:
    """Seconds from starting `billing-mock serve` to the Unpod operation's first 200."""
    unpod = ops[0]
    times = []
    for _ in range(runs):
        port = free_port()
        origin = f"http://{HOST}:{port}"
        with serving("mock-startup", mock_command(port), origin, unpod.path, unpod.headers) as s:
            times.append(round(s.first_200_s, 3))
    say(f"start-up trials: {times}")
    return times


def startup_steps() -> dict[str, Any]:
    """In this fresh process, what `billing-mock serve` does before uvicorn listens, step
    by step: seconds since the process started, RSS and modules loaded after each. Then
    how long the contracts take to parse with PyYAML's Python and C loaders, for scale.
    """
    process = psutil.Process()
    steps: list[dict[str, Any]] = []

    def mark(key: str, step: str) -> None:
        steps.append(
            {
                "key": key,
                "step": step,
                "seconds": round(time.time() - process.create_time(), 3),
                "rss_mb": round(process.memory_info().rss / MB, 1),
                "modules": len(sys.modules),
            }
        )

    mark("interpreter", "interpreter started, bench/run.py's imports (yaml, psutil, bench/*.py)")
    app = importlib.import_module("billing_mock.app")
    mark("import_app", "import billing_mock.app (connexion, every API)")
    importlib.import_module("billing_mock.cli")
    mark("import_cli", "import billing_mock.cli (adds what the CLI imports up front)")
    build = importlib.import_module("billing_mock.data.stores")
    stores = build.load_stores(SEED)
    mark("build_store", "load_stores(42): fixtures read, invoices generated")
    app.create_app(stores)
    mark("create_app", "create_app(stores): connexion loads the five contracts")
    texts = [path.read_text(encoding="utf-8") for path in sorted(OPENAPI.glob("*.yaml"))]
    timings = {}
    for name, loader in (("python", yaml.SafeLoader), ("libyaml", yaml.CSafeLoader)):
        started = time.perf_counter()
        for text in texts:
            yaml.load(text, Loader=loader)  # both loaders are the safe ones
        timings[name] = round(time.perf_counter() - started, 3)
    return {
        "steps": steps,
        "yaml_parse_s": timings,
        "contracts": len(texts),
        "meta_schema_s": _meta_schema_seconds(texts),
    }


def _meta_schema_seconds(texts: Sequence[str]) -> float:
    """How long connexion's own check of the contracts against the OpenAPI meta-schema
    takes: `create_app` pays it in `add_api`, and connexion has no switch for it.
    """
    # Imported here, not at the top: the steps above time the imports themselves.
    from connexion.spec import OpenAPISpecification

    documents = [yaml.load(text, Loader=yaml.CSafeLoader) for text in texts]
    started = time.perf_counter()
    for document in documents:
        OpenAPISpecification._validate_spec(document)
    return round(time.perf_counter() - started, 3)


def import_times(count: int = 12) -> list[dict[str, Any]]:
    """The third-party packages `billing_mock.cli` imports, by cumulative import time
    (`python -X importtime`; a package's figure includes what it imported first).
    """
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import billing_mock.cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in completed.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].strip()
        if "." in name or name.startswith("_") or name in sys.stdlib_module_names:
            continue
        rows.append({"package": name, "ms": round(int(parts[1]) / 1000, 1)})
    rows.sort(key=lambda row: -row["ms"])
    return rows[:count]


def run_startup_breakdown() -> dict[str, Any]:
    """The start-up steps (in a child process) and the import times."""
    say("start-up breakdown: imports, build_store, create_app")
    out = RESULTS / "startup.json"
    command = [sys.executable, str(RUN_SCRIPT), "startup-steps", "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["imports"] = import_times()
    return result
