"""Load benchmark of the billing mock, side by side with Stoplight Prism (issues 7 and 20).

`make bench` runs it. In one run, on 127.0.0.1 only:

1. tools: wrk (`apt-get install -y wrk`) and Prism (`npm install --prefix bench/.tools
   @stoplight/prism-cli@5`), each installed only if missing;
2. each API's main read operation, with request validation and auth on, served by
   `billing-mock serve` (one process with every API, memory: state, as `make run`), by
   `serve --state sqlite:` (a worker per core, its default with shared state), and by
   `prism mock` on the same contract, static and dynamic (`-d`), both with `-v error`
   (Prism at its best): wrk with 2 threads and 32 connections, a warm-up and then a
   measured run; requests/s, p50 and p99 latency and the server's peak RSS (psutil, the
   process and its children, and the largest one of them). The mock is measured twice
   per operation: as a client asks (identical repeated GETs, which its response cache
   answers) and with `Cache-Control: no-cache`, past the cache: the full pipeline;
3. the cache-defeating mix (`mix.py`): 180 distinct reads with a checkout every 10th
   request, on both mock configurations and on a fleet of four Prisms at once;
4. start-up: how long from starting the process to the first 200 of the Unpod operation;
5. a soak mixing reads with Razorpay checkouts for lumen.studio (`bench/soak.lua`) on
   a fresh mock: the mix's capacity measured unpaced (the calibration), the state reset
   through `/__mock`, then the mix paced at 80% of that capacity and the mock's state
   checked through `/__mock`;
6. per state backend and worker count (`backends.py`: memory:, sqlite: and redis: with
   one and two workers, a real redis-server on loopback), each API's main read both
   ways and a short soak that checks no write was lost or doubled across workers;
7. cProfile of in-process Unpod requests through Starlette's TestClient, each with
   `Cache-Control: no-cache`, so the full pipeline is what is profiled.

It writes `bench/results/report.md`, `report.json`, the raw wrk output (`wrk/`), the
mixes' request files and the profile (`profile.prof`, `profile.txt`). Nothing in `src/`
is changed; the report names the levers.

    .venv/bin/python bench/run.py [--duration 10] [--warmup 2] [--soak 60]

Three subcommands are used by the run itself, each in a child process: `profile` (so
the profiler sees nothing else), `startup-steps` (a fresh interpreter to time) and
`serve-quiet` (the mock run by `uvicorn.run` directly, a diagnostic).

The phases live beside this file: operations.py (what is measured), tools.py,
servers.py, load.py (wrk), mix.py, soak.py, startup.py, profiling.py, and targets.py,
report.py, mix_report.py, startup_report.py, soak_report.py and profile_report.py for
the report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from backends import bench_backends
from load import LoadSettings, bench_mock, bench_prism
from mix import bench_mix
from operations import RESPONSE_CACHE, Credentials, Operation, load_credentials, operations
from paths import RESULTS
from profiling import profile_unpod, run_profile
from progress import say
from report import write_reports
from servers import serve_quiet
from soak import soak
from startup import run_startup_breakdown, startup_steps, startup_trials
from targets import evaluate, full_pipeline, times
from tools import Tools, ensure_prism, ensure_wrk


def run_all(args: argparse.Namespace) -> int:
    """Every phase in turn; the reports are written even when a phase fails."""
    started = time.perf_counter()
    (RESULTS / "wrk").mkdir(parents=True, exist_ok=True)
    tools = Tools()
    ensure_wrk(tools)
    ensure_prism(tools)
    load = LoadSettings(args.threads, args.connections, args.warmup, args.duration)
    credentials = load_credentials()
    ops = operations(credentials)
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.platform()}",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load": asdict(load),
        "operations": [asdict(operation) for operation in ops],
        "tools": asdict(tools),
    }
    status = 0
    try:
        if tools.wrk:
            _load_phases(report, ops, credentials, load, with_prism=tools.prism is not None)
            if args.soak > 0:
                report["soak"] = soak(ops, credentials, args.soak, load, args.soak_rate)
            if args.backends_soak > 0:
                # Shorter runs: five configurations times eight reads.
                brief = replace(load, warmup=min(load.warmup, 1), duration=min(load.duration, 4))
                report["backends"] = bench_backends(ops, credentials, brief, args.backends_soak)
        extra = startup_trials(ops, args.startup_runs)
        report["startup_s"] = [
            *([report["mock"]["first_200_s"]] if "mock" in report else []),
            *([report["soak"]["first_200_s"]] if "soak" in report else []),
            *extra,
        ]
        report["startup_breakdown"] = run_startup_breakdown()
        if args.profile_requests > 0:
            report["profile"] = run_profile(args.profile_requests)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
        report["error"] = str(error)
        say(f"bench: {error}")
        status = 1
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    report["targets"] = evaluate(report)
    report["full_pipeline"] = full_pipeline(report)
    write_reports(report)
    _summarise(report)
    return status


def _load_phases(
    report: dict[str, Any],
    ops: Sequence[Operation],
    credentials: Credentials,
    load: LoadSettings,
    *,
    with_prism: bool,
) -> None:
    """The mock in memory and on SQLite with a worker per core (both ways of asking), Prism
    static and dynamic, the quiet diagnostic and the cache-defeating mix, into `report`.
    """
    with tempfile.TemporaryDirectory() as state:
        report["mock"] = asdict(bench_mock(ops, load))
        shared = ["--state", f"sqlite:///{Path(state) / 'state.db'}"]
        report["mock_workers"] = asdict(bench_mock(ops, load, flags=shared, name="mock-workers"))
        if with_prism:
            report["prism_static"] = [asdict(bench_prism(op, load, "static")) for op in ops]
            report["prism_dynamic"] = [asdict(bench_prism(op, load, "dynamic")) for op in ops]
        quiet = bench_mock(ops[:1], load, [RESPONSE_CACHE], quiet=True)
        report["mock_quiet"] = asdict(quiet)
        if with_prism:
            report["mix"] = bench_mix(ops, credentials, load, Path(state))


def _summarise(report: dict[str, Any]) -> None:
    """The targets, met or missed, and the full pipeline beside Prism, on standard output."""
    for target in report["targets"]:
        say(f"{'met ' if target['met'] else 'MISS'}  {target['target']}: {target['measured']}")
    for row in report["full_pipeline"]:
        say(
            f"info  {row['api']}: full pipeline {row['full_pipeline_rps']:.0f} req/s = "
            f"{times(row['full_pipeline_ratio'])} Prism static; response cache "
            f"{times(row['response_cache_ratio'])}"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line: the run's options, or one of the helper subcommands."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10, help="measured seconds (10)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds (2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--soak", type=float, default=60, help="soak seconds; 0 skips (60)")
    parser.add_argument(
        "--soak-rate", type=float, help="soak req/s (default 80%% of the mix's measured capacity)"
    )
    parser.add_argument("--startup-runs", type=int, default=3, help="extra start-up trials (3)")
    parser.add_argument(
        "--backends-soak",
        type=float,
        default=10,
        help="soak seconds per state backend and worker count; 0 skips those rows (10)",
    )
    parser.add_argument(
        "--profile-requests", type=int, default=2000, help="profiled requests; 0 skips (2000)"
    )
    commands = parser.add_subparsers(dest="command")
    profile = commands.add_parser("profile", help="(internal) profile in-process requests")
    profile.add_argument("--requests", type=int, default=2000)
    profile.add_argument("--out", type=Path, default=RESULTS / "profile.json")
    steps = commands.add_parser("startup-steps", help="(internal) time the start-up steps")
    steps.add_argument("--out", type=Path, default=RESULTS / "startup.json")
    quiet = commands.add_parser("serve-quiet", help="(internal) the mock, access log off")
    quiet.add_argument("--port", type=int, required=True)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: the benchmark, or a helper subcommand; the exit status."""
    args = parse_args(argv)
    if args.command == "profile":
        result = profile_unpod(args.requests, args.out)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return 0
    if args.command == "startup-steps":
        args.out.write_text(json.dumps(startup_steps(), indent=2) + "\n", encoding="utf-8")
        return 0
    if args.command == "serve-quiet":
        return serve_quiet(args.port)
    return run_all(args)


if __name__ == "__main__":
    raise SystemExit(main())
