"""wrk runs against one server at a time, and what each measured (latency, req/s, CPU, RSS).

`measure.lua` prints the figures; the mock is asked each operation once per `Variant`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from operations import MOCK_VARIANTS, Operation, Variant
from paths import MEASURE_LUA, RESULTS, RUN_SCRIPT
from progress import say
from servers import HOST, MB, Server, free_port, http_get, mock_command, prism_command, serving

PRISM_QUIET = ("-v", "error")
"""Prism's log level in every run: errors only. Its default logs each request, which
halves its throughput; the mock is measured with its request log off too (issue 20)."""
PRISM_MODES = {
    "static": (PRISM_QUIET, Variant("prism-static", "Prism static (-v error)")),
    "dynamic": (("-d", *PRISM_QUIET), Variant("prism-dynamic", "Prism dynamic (-d -v error)")),
}
"""Prism's modes: the arguments `prism mock` gets, and how its rows are labelled."""


@dataclass
class WrkResult:
    """One wrk run's figures (milliseconds, requests per second)."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    mean_ms: float
    max_ms: float
    status_errors: int
    transport_errors: int
    extra: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadSettings:
    """wrk's shape: threads, connections, warm-up and measured seconds."""

    threads: int
    connections: int
    warmup: float
    duration: float


def run_wrk(
    url: str,
    headers: dict[str, str],
    seconds: float,
    load: LoadSettings,
    log: Path,
    script: Path = MEASURE_LUA,
    script_args: Sequence[str] = (),
) -> WrkResult:
    """Run wrk against `url` and read the BENCH lines its Lua script prints."""
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds:g}s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    log.write_text(" ".join(command) + "\n\n" + completed.stdout + completed.stderr, "utf-8")
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_bench_lines(completed.stdout)


def parse_bench_lines(output: str) -> WrkResult:
    """The figures of the `BENCH <key> <value>` lines `measure.lua`'s done() prints."""
    figures: dict[str, float] = {}
    for line in output.splitlines():
        if line.startswith("BENCH "):
            _, key, value = line.split()
            figures[key] = float(value)
    seconds_run = figures["duration_us"] / 1e6
    transport = sum(figures[f"errors_{kind}"] for kind in ("connect", "read", "write", "timeout"))
    extra = {
        key: int(value)
        for key, value in figures.items()
        if key.startswith(("status_", "checkouts_"))
    }
    return WrkResult(
        requests=int(figures["requests"]),
        seconds=round(seconds_run, 3),
        rps=round(figures["requests"] / seconds_run, 1),
        p50_ms=figures["latency_p50_us"] / 1000,
        p90_ms=figures["latency_p90_us"] / 1000,
        p99_ms=figures["latency_p99_us"] / 1000,
        p999_ms=figures["latency_p99.9_us"] / 1000,
        mean_ms=round(figures["latency_mean_us"] / 1000, 3),
        max_ms=figures["latency_max_us"] / 1000,
        status_errors=int(figures["errors_status"]),
        transport_errors=int(transport),
        extra=extra,
    )


@dataclass
class Measurement:
    """One server serving one operation, asked one way (`variant`), under load."""

    server: str
    api: str
    variant: str
    label: str
    extra_headers: dict[str, str]
    """Sent on top of the operation's own headers."""
    url: str
    probe_status: int
    probe_bytes: int
    wrk: WrkResult
    peak_rss_mb: float
    cpu_ms_per_request: float
    cpu_utilisation: float
    """The server's CPU seconds per wall second during the run (1.0: one core busy)."""


def measure(
    server: Server,
    operation: Operation,
    path: str,
    variant: Variant,
    load: LoadSettings,
    label: str,
) -> Measurement:
    """Warm up, then measure one operation, asked as `variant` says, on a running server."""
    url = server.origin + path
    headers = {**operation.headers, **variant.headers}
    status, body = http_get(url, headers)
    say(f"  {label}: probe {status} ({len(body)} bytes); warm-up {load.warmup:g}s")
    logs = RESULTS / "wrk"
    run_wrk(url, headers, load.warmup, load, logs / f"{label}-warmup.txt")
    server.sampler.new_segment()
    cpu_before = server.sampler.cpu_seconds()
    result = run_wrk(url, headers, load.duration, load, logs / f"{label}.txt")
    cpu = server.sampler.cpu_seconds() - cpu_before
    server.sampler.sample()
    say(
        f"  {label}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, errors {result.status_errors}+{result.transport_errors}, "
        f"server CPU {cpu / result.seconds:.0%}"
    )
    return Measurement(
        server=server.name,
        api=operation.api,
        variant=variant.key,
        label=variant.label,
        extra_headers=dict(variant.headers),
        url=url,
        probe_status=status,
        probe_bytes=len(body),
        wrk=result,
        peak_rss_mb=round(server.sampler.segment_peak / MB, 1),
        cpu_ms_per_request=round(cpu * 1000 / max(result.requests, 1), 3),
        cpu_utilisation=round(cpu / result.seconds, 2),
    )


@dataclass
class ServerRun:
    """A server process's start-up, memory and measurements."""

    name: str
    command: list[str]
    first_200_s: float
    rss_at_ready_mb: float
    peak_rss_mb: float
    measurements: list[Measurement]
    peak_process_rss_mb: float = 0.0
    """The largest one process of the server grew to: with workers, the largest worker."""


def _run_label(name: str, operation: Operation, variant: Variant) -> str:
    """`mock-unpod`, `mock-unpod-full-pipeline`; a Prism server's name ends with its API."""
    base = name if name.endswith(operation.api) else f"{name}-{operation.api}"
    return base + variant.log_suffix


def bench_server(
    name: str,
    command: list[str],
    origin: str,
    targets: Sequence[tuple[Operation, str, Variant]],
    load: LoadSettings,
) -> ServerRun:
    """Start one server, measure each (operation, path, variant) in turn, stop it."""
    probe_operation, probe_path, _ = targets[0]
    with serving(name, command, origin, probe_path, probe_operation.headers) as server:
        say(f"{name}: first 200 after {server.first_200_s:.2f} s")
        measurements = [
            measure(server, operation, path, variant, load, _run_label(name, operation, variant))
            for operation, path, variant in targets
        ]
        peak, process_peak = server.sampler.peak, server.sampler.process_peak
    return ServerRun(
        name=name,
        command=command,
        first_200_s=round(server.first_200_s, 3),
        rss_at_ready_mb=round(server.rss_at_ready / MB, 1),
        peak_rss_mb=round(peak / MB, 1),
        measurements=measurements,
        peak_process_rss_mb=round(process_peak / MB, 1),
    )


def bench_mock(
    ops: Sequence[Operation],
    load: LoadSettings,
    variants: Sequence[Variant] = MOCK_VARIANTS,
    *,
    quiet: bool = False,
    flags: Sequence[str] = (),
    name: str = "mock",
) -> ServerRun:
    """The mock, every API in one server (`serve` with `flags`): each operation in turn,
    asked each way in turn.

    `quiet`: the diagnostic `serve-quiet` instead (uvicorn's access log off).
    """
    port = free_port()
    command = [*mock_command(port), *flags]
    if quiet:
        name = "mock-quiet"
        command = [sys.executable, str(RUN_SCRIPT), "serve-quiet", "--port", str(port)]
    targets = [(operation, operation.path, variant) for operation in ops for variant in variants]
    return bench_server(name, command, f"http://{HOST}:{port}", targets, load)


def bench_prism(operation: Operation, load: LoadSettings, mode: str) -> ServerRun:
    """Prism on the operation's contract: `static` or `dynamic` (-d), errors-only logging."""
    port = free_port()
    extra, variant = PRISM_MODES[mode]
    command = prism_command(port, operation.spec, *extra)
    name = f"prism-{mode}-{operation.api}"
    target = [(operation, operation.prism_path, variant)]
    return bench_server(name, command, f"http://{HOST}:{port}", target, load)
