"""Load benchmark of the billing mock, side by side with Stoplight Prism (issue 7).

`make bench` runs it. In one run, on 127.0.0.1 only:

1. tools: wrk (`apt-get install -y wrk`) and Prism (`npm install --prefix bench/.tools
   @stoplight/prism-cli@5`), each installed only if missing;
2. each API's main read operation, with request validation and auth on, served by
   `billing-mock serve` (one process with every API) and then by `prism mock` on the same
   contract (static mode; dynamic `-d` for Unpod too): wrk with 2 threads and 32
   connections, a warm-up and then a measured run; requests/s, p50 and p99 latency and
   the server's peak RSS (psutil, the process and its children);
3. start-up: how long from starting the process to the first 200 of the Unpod operation;
4. a soak at 80% of the measured Unpod capacity mixing reads with Razorpay checkouts
   for lumen.studio (`bench/soak.lua`), then the mock's state checked through `/__mock`;
5. cProfile of in-process Unpod requests through Starlette's TestClient.

It writes `bench/results/report.md`, `report.json`, the raw wrk output (`wrk/`), the
soak's request mix and the profile (`profile.prof`, `profile.txt`). Nothing in `src/`
is changed; the report names the levers.

    .venv/bin/python bench/run.py [--duration 10] [--warmup 2] [--soak 60]

Two subcommands are used by the run itself: `profile` (in a child process, so the
profiler sees nothing else) and `serve-quiet` (the mock with uvicorn's access log off,
a diagnostic).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import json
import os
import platform
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
TOOLS = BENCH / ".tools"
PRISM = TOOLS / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
FIXTURES = ROOT / "fixtures"
OPENAPI = ROOT / "openapi"
MEASURE_LUA = BENCH / "measure.lua"
SOAK_LUA = BENCH / "soak.lua"
HOST = "127.0.0.1"
SEED = 42
NORTHWIND_ID = "7d2e9c41-5a3b-4f8e-b6d0-2c9a8e1f4b73"
CONTROL_HEADERS = {"X-Mock-Control-Token": "local"}

TARGET_RATIO = 2.0
"""Throughput of the mock over Prism static, at least."""
TARGET_P99_MS = 25.0
"""p99 latency at 32 connections, below."""
TARGET_RSS_MB = 100.0
"""Peak RSS of the mock with every API loaded, below."""
TARGET_FIRST_200_S = 1.0
"""Process start to the first 200 of the Unpod operation, below."""
SOAK_SHARE = 0.8
"""The soak's rate as a share of the measured Unpod capacity."""
SOAK_MIX = {"unpod": 3, "stripe": 2, "cognita": 1, "razorpay": 1, "lumen-me": 1, "checkout": 2}
"""The soak's requests by weight (per 10): reads of every API and checkouts (20%)."""

MB = 1024 * 1024


def say(text: str) -> None:
    """Progress on standard output, at once."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- what is measured -------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One API's main read operation: where the mock and Prism serve it, and its headers."""

    api: str
    title: str
    spec: str
    path: str
    base_path: str
    headers: dict[str, str]

    @property
    def prism_path(self) -> str:
        """Prism serves the contract's paths without the `servers` base path."""
        return self.path.removeprefix(self.base_path)


@dataclass(frozen=True)
class Credentials:
    """The fixture credentials the benchmark sends (fixtures/users.yaml)."""

    priya_jwt: str
    priya_api_key: str
    ops_bearer: str
    clara_api_key: str


def load_credentials() -> Credentials:
    """Priya's JWT and recalll.co key, ops@unpod.dev's bearer, clara's lumen.studio key."""
    users = yaml.safe_load((FIXTURES / "users.yaml").read_text(encoding="utf-8"))["users"]
    by_email = {user["email"]: user for user in users}

    def api_key(email: str, organisation: str) -> str:
        memberships = by_email[email]["memberships"]
        return next(m["api_key"] for m in memberships if m["organisation"] == organisation)

    return Credentials(
        priya_jwt=by_email["priya.sharma@recalll.co"]["jwt"],
        priya_api_key=api_key("priya.sharma@recalll.co", "recalll.co"),
        ops_bearer=by_email["ops@unpod.dev"]["bearer"],
        clara_api_key=api_key("clara.novak@lumen.studio", "lumen.studio"),
    )


def base_path(spec: str) -> str:
    """The contract's first `servers` URL: the mock's base path for it."""
    document = yaml.safe_load((OPENAPI / spec).read_text(encoding="utf-8"))
    return str(document["servers"][0]["url"])


def operations(credentials: Credentials) -> list[Operation]:
    """Each API's main read, 20 invoices a page where the API pages."""
    bearer = {"Authorization": f"Bearer {credentials.ops_bearer}"}
    rows = [
        (
            "unpod",
            "Unpod GET /organisation/billing/ (recalll.co, page_size=20)",
            "unpod-billing.yaml",
            "/organisation/billing/?page=1&page_size=20",
            {"Authorization": f"jwt {credentials.priya_jwt}", "Org-Handle": "recalll.co"},
        ),
        (
            "stripe",
            "Stripe-backed GET /organizations/{northwind}/stripe/billing-details",
            "stripe-billing-details.yaml",
            f"/organizations/{NORTHWIND_ID}/stripe/billing-details",
            bearer,
        ),
        (
            "cognita",
            "Cognita GET /orgs/{northwind}/billing",
            "cognita-billing.yaml",
            f"/orgs/{NORTHWIND_ID}/billing",
            bearer,
        ),
        (
            "razorpay",
            "Razorpay-backed GET /subscription/me (priya, recalll.co)",
            "razorpay-billing.yaml",
            "/subscription/me",
            {"X-API-Key": credentials.priya_api_key},
        ),
    ]
    result = []
    for api, title, spec, path, headers in rows:
        base = base_path(spec)
        result.append(Operation(api, title, spec, base + path, base, headers))
    return result


# --- tools ------------------------------------------------------------------------------


@dataclass
class Tools:
    """What the run could use, and why not where it could not."""

    wrk: str | None = None
    prism: str | None = None
    wrk_version: str = ""
    prism_version: str = ""
    node_version: str = ""
    failures: list[str] = field(default_factory=list)


def _run_quietly(command: Sequence[str], log: Path) -> tuple[bool, str]:
    """Run `command` with its output in `log`; (succeeded, last lines of output)."""
    say(f"$ {' '.join(command)}")
    try:
        completed = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.write_text(str(error), encoding="utf-8")
        return False, str(error)
    output = completed.stdout + completed.stderr
    log.write_text(output, encoding="utf-8")
    tail = "\n".join(output.strip().splitlines()[-8:])
    return completed.returncode == 0, f"exit {completed.returncode}: {tail}"


def ensure_wrk(tools: Tools) -> None:
    """Install wrk from Debian's package with apt-get when it is not on PATH."""
    if shutil.which("wrk") is None:
        prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
        ok, detail = _run_quietly([*prefix, "apt-get", "update"], RESULTS / "apt-update.log")
        if ok:
            ok, detail = _run_quietly(
                [*prefix, "apt-get", "install", "-y", "wrk"], RESULTS / "apt-install.log"
            )
        if not ok:
            tools.failures.append(f"wrk: apt-get failed ({detail})")
    tools.wrk = shutil.which("wrk")
    if tools.wrk:
        probe = subprocess.run([tools.wrk, "--version"], capture_output=True, text=True)
        first = (probe.stdout + probe.stderr).splitlines()[0]
        tools.wrk_version = first.split(" [")[0].strip()


def ensure_prism(tools: Tools) -> None:
    """Prism from npm into bench/.tools, when it is not there yet."""
    if not PRISM.exists():
        if shutil.which("npm") is None:
            tools.failures.append("prism: npm is not installed")
            return
        TOOLS.mkdir(parents=True, exist_ok=True)
        command = ["npm", "install", "--prefix", str(TOOLS), PRISM_PACKAGE]
        ok, detail = _run_quietly(command, RESULTS / "npm-install.log")
        if not ok or not PRISM.exists():
            tools.failures.append(f"prism: npm install failed ({detail})")
            return
    # The installed tools are not the project's: keep them out of `git status`.
    ignore = TOOLS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    tools.prism = str(PRISM)
    version = subprocess.run([tools.prism, "--version"], capture_output=True, text=True)
    tools.prism_version = version.stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True)
    tools.node_version = node.stdout.strip()


# --- servers ----------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def http_get(url: str, headers: dict[str, str], timeout: float = 5.0) -> tuple[int, bytes]:
    """Status and body of a GET; (0, b"") when nothing answers."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


class RssSampler:
    """Samples the resident set of a process plus its children, in a background thread.

    `peak` is over the sampler's life, `segment_peak` since the last `new_segment()`.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.perf_counter()
        self.peak = 0
        self.segment_peak = 0
        self.timeline: list[tuple[float, int]] = []
        """(seconds since the sampler was made, RSS) of every sample."""

    def current(self) -> int:
        """RSS in bytes now, of the process and every descendant."""
        total = 0
        with contextlib.suppress(psutil.Error):
            for process in [self._process, *self._process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
        return total

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process and its live children."""
        total = 0.0
        with contextlib.suppress(psutil.Error):
            for process in [self._process, *self._process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    total += times.user + times.system
        return total

    def sample(self) -> int:
        """Take one sample now; it counts towards the peaks."""
        value = self.current()
        self.timeline.append((time.perf_counter() - self._started, value))
        self.peak = max(self.peak, value)
        self.segment_peak = max(self.segment_peak, value)
        return value

    def new_segment(self) -> float:
        """Start a new segment: `segment_peak` counts from now; its start on the timeline."""
        self.segment_peak = self.current()
        return time.perf_counter() - self._started

    def every(self, since: float, step: float) -> list[tuple[float, float]]:
        """(seconds since `since`, RSS MB) of the first sample in each `step` seconds."""
        points: list[tuple[float, float]] = []
        for moment, value in self.timeline:
            offset = moment - since
            if offset >= 0 and (not points or offset >= points[-1][0] + step):
                points.append((round(offset, 1), round(value / MB, 1)))
        return points

    def start(self) -> None:
        """Sample until `stop()`."""
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (one last sample first)."""
        self.sample()
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()


@dataclass
class Server:
    """A server process under test."""

    name: str
    process: subprocess.Popen[bytes]
    origin: str
    first_200_s: float
    rss_at_ready: int
    sampler: RssSampler


def start_server(
    name: str, command: Sequence[str], origin: str, probe: str, headers: dict[str, str]
) -> Server:
    """Start `command`, then GET `probe` every 10 ms until it answers 200.

    The time from starting the process to that first 200 is the start-up figure.
    """
    say(f"starting {name}: {' '.join(command)}")
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    sampler = RssSampler(process.pid)
    sampler.start()
    deadline = started + 60
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            sampler.stop()
            raise RuntimeError(f"{name} exited with {process.returncode} before answering")
        status, _ = http_get(origin + probe, headers, timeout=2)
        if status == 200:
            first_200 = time.perf_counter() - started
            return Server(name, process, origin, first_200, sampler.sample(), sampler)
        time.sleep(0.01)
    stop_server_process(process)
    sampler.stop()
    raise RuntimeError(f"{name} gave no 200 on {probe} within 60 s")


def stop_server_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process we started (kill it if it lingers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serving(
    name: str, command: Sequence[str], origin: str, probe: str, headers: dict[str, str]
) -> Iterator[Server]:
    """A started server for the `with` block; stopped afterwards, whatever happens."""
    server = start_server(name, command, origin, probe, headers)
    try:
        yield server
    finally:
        server.sampler.stop()
        stop_server_process(server.process)


def mock_command(port: int) -> list[str]:
    """`billing-mock serve` as the issue runs it: request log off."""
    script = Path(sys.executable).parent / "billing-mock"
    return [
        str(script),
        "serve",
        "--log-format",
        "off",
        "--host",
        HOST,
        "--port",
        str(port),
        "--seed",
        str(SEED),
    ]


def prism_command(port: int, spec: str, *extra: str) -> list[str]:
    """`prism mock` on one contract (static mode unless `extra` says `-d`)."""
    return [str(PRISM), "mock", "-h", HOST, "-p", str(port), *extra, str(OPENAPI / spec)]


# --- wrk --------------------------------------------------------------------------------


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
    figures: dict[str, float] = {}
    for line in completed.stdout.splitlines():
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
    """One server serving one operation under load."""

    server: str
    api: str
    url: str
    probe_status: int
    probe_bytes: int
    wrk: WrkResult
    peak_rss_mb: float
    cpu_ms_per_request: float
    cpu_utilisation: float
    """The server's CPU seconds per wall second during the run (1.0: one core busy)."""


def measure(
    server: Server, operation: Operation, path: str, load: LoadSettings, label: str
) -> Measurement:
    """Warm up, then measure one operation on a running server."""
    url = server.origin + path
    status, body = http_get(url, operation.headers)
    say(f"  {label}: probe {status} ({len(body)} bytes); warm-up {load.warmup:g}s")
    logs = RESULTS / "wrk"
    run_wrk(url, operation.headers, load.warmup, load, logs / f"{label}-warmup.txt")
    server.sampler.new_segment()
    cpu_before = server.sampler.cpu_seconds()
    result = run_wrk(url, operation.headers, load.duration, load, logs / f"{label}.txt")
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
        url=url,
        probe_status=status,
        probe_bytes=len(body),
        wrk=result,
        peak_rss_mb=round(server.sampler.segment_peak / MB, 1),
        cpu_ms_per_request=round(cpu * 1000 / max(result.requests, 1), 3),
        cpu_utilisation=round(cpu / result.seconds, 2),
    )


# --- phases -----------------------------------------------------------------------------


@dataclass
class ServerRun:
    """A server process's start-up, memory and measurements."""

    name: str
    command: list[str]
    first_200_s: float
    rss_at_ready_mb: float
    peak_rss_mb: float
    measurements: list[Measurement]


def _run_label(name: str, operation: Operation) -> str:
    """`mock-unpod`; a Prism server's name already ends with its API."""
    return name if name.endswith(operation.api) else f"{name}-{operation.api}"


def bench_server(
    name: str,
    command: list[str],
    origin: str,
    targets: Sequence[tuple[Operation, str]],
    load: LoadSettings,
) -> ServerRun:
    """Start one server, measure each (operation, path) in turn, stop it."""
    probe_operation, probe_path = targets[0]
    with serving(name, command, origin, probe_path, probe_operation.headers) as server:
        say(f"{name}: first 200 after {server.first_200_s:.2f} s")
        measurements = [
            measure(server, operation, path, load, _run_label(name, operation))
            for operation, path in targets
        ]
        peak = server.sampler.peak
    return ServerRun(
        name=name,
        command=command,
        first_200_s=round(server.first_200_s, 3),
        rss_at_ready_mb=round(server.rss_at_ready / MB, 1),
        peak_rss_mb=round(peak / MB, 1),
        measurements=measurements,
    )


def bench_mock(ops: Sequence[Operation], load: LoadSettings, *, quiet: bool = False) -> ServerRun:
    """The mock, every API in one process, each operation in turn.

    `quiet`: the diagnostic `serve-quiet` instead (uvicorn's access log off).
    """
    port = free_port()
    command = mock_command(port)
    name = "mock"
    if quiet:
        name = "mock-quiet"
        command = [sys.executable, str(Path(__file__).resolve()), "serve-quiet"]
        command += ["--port", str(port)]
    targets = [(operation, operation.path) for operation in ops]
    return bench_server(name, command, f"http://{HOST}:{port}", targets, load)


def bench_prism(operation: Operation, load: LoadSettings, mode: str) -> ServerRun:
    """Prism on the operation's contract: `static`, `dynamic` (-d) or `static-quiet`."""
    port = free_port()
    extra = {"static": (), "dynamic": ("-d",), "static-quiet": ("-v", "silent")}[mode]
    command = prism_command(port, operation.spec, *extra)
    name = f"prism-{mode}-{operation.api}"
    target = [(operation, operation.prism_path)]
    return bench_server(name, command, f"http://{HOST}:{port}", target, load)


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


def soak_mix(ops: Sequence[Operation], credentials: Credentials) -> Path:
    """The soak's request file for soak.lua: weighted, interleaved (smooth round robin)."""
    by_api = {operation.api: operation for operation in ops}
    lumen = {"X-API-Key": credentials.clara_api_key}
    requests: dict[str, tuple[str, str, str, dict[str, str]]] = {
        api: ("GET", by_api[api].path, "-", by_api[api].headers)
        for api in ("unpod", "stripe", "cognita", "razorpay")
    }
    requests["lumen-me"] = ("GET", by_api["razorpay"].path, "-", lumen)
    requests["checkout"] = (
        "POST",
        by_api["razorpay"].base_path + "/checkout",
        json.dumps({"planId": "growth", "billingCycle": "monthly"}),
        {**lumen, "Content-Type": "application/json"},
    )
    current = dict.fromkeys(SOAK_MIX, 0)
    total = sum(SOAK_MIX.values())
    lines = []
    for _ in range(total):
        for name, weight in SOAK_MIX.items():
            current[name] += weight
        chosen = max(current, key=lambda name: current[name])
        current[chosen] -= total
        method, path, body, headers = requests[chosen]
        fields = [method, path, body, *(f"{key}: {value}" for key, value in headers.items())]
        lines.append("\t".join(fields))
    mix = RESULTS / "soak-mix.tsv"
    mix.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mix


def organisation_state(origin: str, handle: str) -> dict[str, Any]:
    """The control API's view of one organisation."""
    status, body = http_get(f"{origin}/__mock/organisations/{handle}", CONTROL_HEADERS)
    if status != 200:
        raise RuntimeError(f"/__mock/organisations/{handle} answered {status}")
    state: dict[str, Any] = json.loads(body)
    return state


def soak(
    ops: Sequence[Operation],
    credentials: Credentials,
    rate: float,
    seconds: float,
    load: LoadSettings,
) -> dict[str, Any]:
    """Mixed reads and checkouts at `rate` for `seconds`; errors, RSS and state after."""
    mix = soak_mix(ops, credentials)
    port = free_port()
    origin = f"http://{HOST}:{port}"
    unpod = ops[0]
    drain = min(2.0, seconds / 5)
    with serving("mock-soak", mock_command(port), origin, unpod.path, unpod.headers) as server:
        rss_start = server.sampler.sample()
        before = organisation_state(origin, "lumen.studio")
        say(f"soak: {rate:.0f} req/s for {seconds:g} s (mix {SOAK_MIX})")
        soak_start = server.sampler.new_segment()
        result = run_wrk(
            origin,
            {},
            seconds,
            load,
            RESULTS / "wrk" / "soak.txt",
            script=SOAK_LUA,
            script_args=[str(mix), f"{rate / load.threads:.3f}", f"{seconds:g}", f"{drain:g}"],
        )
        rss_end = server.sampler.sample()
        after = organisation_state(origin, "lumen.studio")
        peak = server.sampler.segment_peak
        first_200 = server.first_200_s
        timeline = server.sampler.every(soak_start, max(seconds / 6, 1))
    created = result.extra.get("checkouts_created", 0)
    sent = result.extra.get("checkouts_sent", 0)
    statuses = {
        key.removeprefix("status_"): value
        for key, value in result.extra.items()
        if key.startswith("status_")
    }
    non_2xx = sum(count for status, count in statuses.items() if not status.startswith("2"))
    checks = {
        "no_errors": non_2xx == 0 and result.transport_errors == 0 and result.status_errors == 0,
        "every_checkout_answered": sent == created,
        "orders_equal_checkouts": after["orders"]["count"] - before["orders"]["count"] == created,
        "payments_unchanged": after["payments"] == before["payments"],
        "invoices_unchanged": after["invoices"] == before["invoices"],
        "subscription_unchanged": after["subscription"] == before["subscription"],
    }
    say(f"soak: {result.rps:.0f} req/s, checkouts {created}/{sent}, checks {checks}")
    return {
        "target_rate": round(rate, 1),
        "seconds": seconds,
        "drain_seconds": drain,
        "mix": SOAK_MIX,
        "wrk": asdict(result),
        "statuses": statuses,
        "non_2xx": non_2xx,
        "checkouts_sent": sent,
        "checkouts_created": created,
        "orders_before": before["orders"]["count"],
        "orders_after": after["orders"]["count"],
        "payments_before": before["payments"]["count"],
        "payments_after": after["payments"]["count"],
        "subscription_status": after["subscription"]["status"],
        "rss_start_mb": round(rss_start / MB, 1),
        "rss_end_mb": round(rss_end / MB, 1),
        "rss_peak_mb": round(peak / MB, 1),
        "rss_timeline_mb": timeline,
        "first_200_s": round(first_200, 3),
        "checks": checks,
    }


# --- profile (runs in a child process) --------------------------------------------------

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
    (OUR_MIDDLEWARE, ("billing_mock/steering", "billing_mock/request_state", "billing_mock/valid")),
    (HANDLER, ("billing_mock/",)),
    (VALIDATION, ("connexion/validators/", "connexion/middleware/request_", "connexion/uri_")),
    ("connexion: security", ("connexion/security", "connexion/middleware/security")),
    ("connexion: handler decorators (parameters, response)", ("connexion/decorators/",)),
    ("connexion: middleware stack, routing, context", ("connexion/",)),
    ("jsonschema (validators built per parameter)", ("jsonschema", "referencing/", "rpds")),
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


def profile_unpod(requests: int, out: Path) -> dict[str, Any]:
    """Profile `requests` Unpod GETs (cProfile) through TestClient on `create_app(build_store(42))`.

    TestClient runs the app on an event loop in its portal thread and connexion runs the
    sync handler in an anyio worker thread, so every thread started while profiling gets
    its own profiler (threading.setprofile); their stats are merged. The main thread,
    TestClient's client side, is not profiled.
    """
    # Imported here: the orchestrating process does not need connexion loaded.
    from starlette.testclient import TestClient

    from billing_mock.app import create_app
    from billing_mock.build import build_store

    credentials = load_credentials()
    unpod = operations(credentials)[0]
    app = create_app(build_store(SEED))
    with TestClient(app) as client:
        for _ in range(50):
            assert client.get(unpod.path, headers=unpod.headers).status_code == 200
        started = time.perf_counter()
        for _ in range(requests):
            client.get(unpod.path, headers=unpod.headers)
        plain_ms = (time.perf_counter() - started) * 1000 / requests

    profilers: list[cProfile.Profile] = []

    def start_profiler(*_: object) -> None:
        sys.setprofile(None)
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()

    threading.setprofile(start_profiler)
    try:
        with TestClient(app) as client:
            started = time.perf_counter()
            for _ in range(requests):
                client.get(unpod.path, headers=unpod.headers)
            profiled_ms = (time.perf_counter() - started) * 1000 / requests
    finally:
        threading.setprofile(None)
    stats = pstats.Stats(*profilers)
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
        "threads_profiled": len(profilers),
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
        "top_cumulative": view.rows(3, 15, requests),
        "top_own": view.rows(2, 15, requests),
    }


def run_profile(requests: int) -> dict[str, Any]:
    """The profile, in a child process; its JSON result."""
    out = RESULTS / "profile.json"
    command = [sys.executable, str(Path(__file__).resolve()), "profile"]
    command += ["--requests", str(requests), "--out", str(out)]
    say(f"profile: {requests} in-process Unpod requests under cProfile")
    subprocess.run(command, cwd=ROOT, check=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def serve_quiet(port: int) -> int:
    """The mock as `billing-mock serve --log-format off` would serve it with uvicorn's
    access log also off (a diagnostic: cli.py turns it on exactly when the format is off).
    """
    import uvicorn

    from billing_mock.app import create_app
    from billing_mock.build import build_store
    from billing_mock.request_state import Settings

    settings = Settings(log_format="off")
    app = create_app(build_store(SEED), settings=settings)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
    return 0


def startup_steps() -> dict[str, Any]:
    """In this fresh process, what `billing-mock serve` does before uvicorn listens, step
    by step: seconds since the process started, RSS and modules loaded after each. Then
    how long the five contracts take to parse with PyYAML's Python and C loaders
    (create_app parses each twice: connexion's `add_api` and `publishing.add_routes`).
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

    mark("interpreter", "interpreter started, bench/run.py's imports (yaml, psutil)")
    app = importlib.import_module("billing_mock.app")
    mark("import_app", "import billing_mock.app (connexion, Faker, fpdf, every API)")
    importlib.import_module("billing_mock.cli")
    mark("import_cli", "import billing_mock.cli (adds uvicorn, contract-test, spec bundle)")
    build = importlib.import_module("billing_mock.build")
    store = build.build_store(SEED)
    mark("build_store", "build_store(42): fixtures read, invoices generated")
    app.create_app(store)
    mark("create_app", "create_app(store): connexion loads the five contracts")
    texts = [path.read_text(encoding="utf-8") for path in sorted(OPENAPI.glob("*.yaml"))]
    timings = {}
    for name, loader in (("python", yaml.SafeLoader), ("libyaml", yaml.CSafeLoader)):
        started = time.perf_counter()
        for text in texts:
            yaml.load(text, Loader=loader)  # both loaders are the safe ones
        timings[name] = round(time.perf_counter() - started, 3)
    return {"steps": steps, "yaml_parse_s": timings, "contracts": len(texts)}


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
    command = [sys.executable, str(Path(__file__).resolve()), "startup-steps", "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["imports"] = import_times()
    return result


# --- report -----------------------------------------------------------------------------


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets against the figures measured."""
    targets: list[dict[str, Any]] = []
    mock = report.get("mock")
    prism = {run["measurements"][0]["api"]: run for run in report.get("prism_static", [])}
    if mock:
        for measurement in mock["measurements"]:
            api = measurement["api"]
            rps = measurement["wrk"]["rps"]
            if api in prism:
                prism_rps = prism[api]["measurements"][0]["wrk"]["rps"]
                ratio = rps / prism_rps if prism_rps else float("inf")
                targets.append(
                    {
                        "target": f"{api}: throughput >= {TARGET_RATIO:g}x Prism static",
                        "measured": f"{rps:.0f} vs {prism_rps:.0f} req/s = {ratio:.2f}x",
                        "met": ratio >= TARGET_RATIO,
                    }
                )
            p99 = measurement["wrk"]["p99_ms"]
            targets.append(
                {
                    "target": f"{api}: p99 < {TARGET_P99_MS:g} ms at 32 connections",
                    "measured": f"{p99:.1f} ms",
                    "met": p99 < TARGET_P99_MS,
                }
            )
        targets.append(
            {
                "target": f"peak RSS < {TARGET_RSS_MB:g} MB, every API loaded",
                "measured": f"{mock['peak_rss_mb']:.1f} MB "
                f"(at start-up {mock['rss_at_ready_mb']:.1f} MB)",
                "met": mock["peak_rss_mb"] < TARGET_RSS_MB,
            }
        )
    startups = report.get("startup_s", [])
    if startups:
        worst = max(startups)
        targets.append(
            {
                "target": f"first 200 within {TARGET_FIRST_200_S:g} s of process start",
                "measured": f"median {statistics.median(startups):.2f} s, worst {worst:.2f} s "
                f"({len(startups)} starts)",
                "met": worst < TARGET_FIRST_200_S,
            }
        )
    soak_result = report.get("soak")
    if soak_result:
        targets.append(
            {
                "target": "soak: 0 errors, state intact",
                "measured": f"{soak_result['non_2xx']} non-2xx, "
                f"{soak_result['wrk']['transport_errors']} transport errors; "
                f"{soak_result['orders_after']} orders for {soak_result['checkouts_created']} "
                f"checkouts, payments {soak_result['payments_before']} -> "
                f"{soak_result['payments_after']}",
                "met": all(soak_result["checks"].values()),
            }
        )
    return targets


def _fmt_ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


def _side_by_side(report: dict[str, Any]) -> list[str]:
    lines = [
        "| API, against | req/s mock / Prism (ratio) | p50 ms mock / Prism "
        "| p99 ms mock / Prism (ratio) | peak RSS MB mock / Prism (ratio) "
        "| body bytes mock / Prism |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pairs = []
    by_api = {m["api"]: m for m in report["mock"]["measurements"]}
    for mode, runs in (("static", "prism_static"), ("-d", "prism_dynamic")):
        for run in report.get(runs, []):
            theirs = run["measurements"][0]
            if theirs["api"] in by_api:
                pairs.append((f"{theirs['api']}, Prism {mode}", by_api[theirs["api"]], theirs))
    for label, ours, theirs in pairs:
        mine, other = ours["wrk"], theirs["wrk"]
        lines.append(
            f"| {label} "
            f"| {mine['rps']:.0f} / {other['rps']:.0f} ({_fmt_ratio(mine['rps'], other['rps'])}) "
            f"| {mine['p50_ms']:.1f} / {other['p50_ms']:.1f} "
            f"| {mine['p99_ms']:.1f} / {other['p99_ms']:.1f} "
            f"({_fmt_ratio(mine['p99_ms'], other['p99_ms'])}) "
            f"| {ours['peak_rss_mb']:.0f} / {theirs['peak_rss_mb']:.0f} "
            f"({_fmt_ratio(ours['peak_rss_mb'], theirs['peak_rss_mb'])}) "
            f"| {ours['probe_bytes']} / {theirs['probe_bytes']} |"
        )
    static = report.get("prism_static", [])
    if static:
        total = sum(run["peak_rss_mb"] for run in static)
        lines += [
            "",
            f"The mock serves every API from one process ({report['mock']['peak_rss_mb']:.0f} "
            f"MB at peak); Prism needs one process per contract: {len(static)} processes, "
            f"{total:.0f} MB together.",
        ]
    return lines


def _server_rows(runs: Sequence[dict[str, Any]]) -> list[str]:
    lines = [
        "| server | operation | probe | req/s | p50 ms | p99 ms | p99.9 ms | errors "
        "| server CPU | CPU ms/request | first 200 s | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for measurement in run["measurements"]:
            result = measurement["wrk"]
            errors = result["status_errors"] + result["transport_errors"]
            lines.append(
                f"| {run['name']} | {measurement['api']} | {measurement['probe_status']} "
                f"| {result['rps']:.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} "
                f"| {result['p999_ms']:.2f} | {errors} | {measurement['cpu_utilisation']:.0%} "
                f"| {measurement['cpu_ms_per_request']:.2f} | {run['first_200_s']:.2f} "
                f"| {measurement['peak_rss_mb']:.0f} |"
            )
    return lines


def _profile_section(profile: dict[str, Any], report: dict[str, Any]) -> list[str]:
    lines = [
        "## Profile: where the time goes",
        "",
        f"cProfile over {profile['requests']} Unpod requests (page_size=20) through "
        "Starlette's TestClient against `create_app(build_store(42))`, in-process; every "
        f"thread of the app profiled ({profile['threads_profiled']}: TestClient's event "
        "loop and the anyio worker running the sync handler) and merged; TestClient's own "
        "machinery (portal, event loop, waits) left out of the tables. "
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
    lines += ["", *_levers(profile, report)]
    return lines


def _startup_section(report: dict[str, Any]) -> list[str]:
    prism = ", ".join(
        f"{run['name'].removeprefix('prism-static-')} {run['first_200_s']:.2f} s"
        for run in report.get("prism_static", [])
    )
    lines = [
        "## Start-up",
        "",
        "Seconds from starting `billing-mock serve` to the first 200 of the Unpod "
        f"operation (polled every 10 ms), every start in this run: {report['startup_s']}."
        + (f" Prism static, per contract: {prism}." if prism else ""),
    ]
    breakdown = report.get("startup_breakdown")
    if not breakdown:
        return lines
    lines += [
        "",
        "Where it goes: what `billing-mock serve` does before uvicorn listens, replayed "
        "step by step in a fresh process (`bench/run.py startup-steps`; its first step "
        "includes the bench script's own imports, which the CLI does not have):",
        "",
        "| step | s since process start | step s | RSS MB | modules |",
        "|---|---:|---:|---:|---:|",
    ]
    previous = 0.0
    for step in breakdown["steps"]:
        lines.append(
            f"| {step['step']} | {step['seconds']:.2f} | {step['seconds'] - previous:.2f} "
            f"| {step['rss_mb']:.0f} | {step['modules']} |"
        )
        previous = step["seconds"]
    lines += [
        "",
        "Third-party imports of `billing_mock.cli` by cumulative import time (ms; "
        "`python -X importtime`, nested figures overlap): "
        + ", ".join(f"{row['package']} {row['ms']:.0f}" for row in breakdown["imports"])
        + ".",
        "",
        *_startup_levers(breakdown),
    ]
    return lines


def _startup_levers(breakdown: dict[str, Any]) -> list[str]:
    steps = breakdown["steps"]
    delta = {
        step["key"]: step["seconds"] - (steps[i - 1]["seconds"] if i else 0.0)
        for i, step in enumerate(steps)
    }
    rss = {
        step["key"]: step["rss_mb"] - (steps[i - 1]["rss_mb"] if i else 0.0)
        for i, step in enumerate(steps)
    }
    imports = {row["package"]: row["ms"] for row in breakdown["imports"]}
    parse = breakdown["yaml_parse_s"]
    return [
        "**What would bring start-up under 1 s and RSS under 100 MB** (report only): "
        f"`create_app` takes {delta['create_app']:.2f} s, and most of it is YAML: the "
        f"{breakdown['contracts']} contracts take {parse['python']:.2f} s to parse with "
        f"PyYAML's pure-Python `safe_load` and {parse['libyaml']:.2f} s with libyaml's "
        "`CSafeLoader` (installed here), and `create_app` parses each twice (connexion's "
        "`add_api` and `publishing.add_routes`, which converts every contract to JSON "
        "up front). Parsing once with `CSafeLoader` and handing connexion the dict, and "
        "converting to JSON on first request, would save about "
        f"{2 * parse['python'] - parse['libyaml']:.1f} s. Imports take "
        f"{delta['import_app'] + delta['import_cli']:.2f} s and "
        f"{rss['import_app'] + rss['import_cli']:.0f} MB of the RSS: fpdf "
        f"({imports.get('fpdf', 0):.0f} ms, needed only for an invoice PDF) and the "
        "`contract-test`/`spec bundle` tooling the CLI imports at module level "
        f"(`import billing_mock.cli` adds {delta['import_cli']:.2f} s and "
        f"{rss['import_cli']:.0f} MB; openapi_spec_validator "
        f"{imports.get('openapi_spec_validator', 0):.0f} ms) could be imported where they "
        f"are used. `build_store` is cheap ({delta['build_store']:.2f} s).",
    ]


def _share(profile: dict[str, Any], *prefixes: str) -> float:
    return sum(
        figures["share"]
        for name, figures in profile["components"].items()
        if name.startswith(prefixes)
    )


def _levers(profile: dict[str, Any], report: dict[str, Any]) -> list[str]:
    handler = _share(profile, HANDLER)
    ours = _share(profile, OUR_MIDDLEWARE)
    encoding = _share(profile, JSON_ENCODING)
    threadpool = _share(profile, THREADPOOL)
    signatures = _share(profile, SIGNATURES)
    decorators = _share(profile, "connexion: handler decorators")
    validation = _share(profile, VALIDATION, "jsonschema")
    starlette = _share(profile, "starlette")
    framework = 1 - handler - ours - encoding
    lines = ["**Where time goes.**"]
    mock, prism = report.get("mock"), report.get("prism_static")
    if mock and prism:
        unpod = mock["measurements"][0]
        rps, cpu = unpod["wrk"]["rps"], unpod["cpu_ms_per_request"]
        prism_rps = prism[0]["measurements"][0]["wrk"]["rps"]
        budget = 1000 / (TARGET_RATIO * prism_rps)
        lines[0] += (
            f" The served mock is one Python process bound by CPU: on the Unpod operation it "
            f"used {unpod['cpu_utilisation']:.0%} of a core, {cpu:.2f} ms of CPU per "
            f"request. With 32 connections always busy its mean latency is 32 / {rps:.0f} "
            f"req/s = {32000 / rps:.0f} ms (Little's law), so p99 < {TARGET_P99_MS:g} ms "
            f"needs more than {32000 / TARGET_P99_MS:.0f} req/s: a throughput target. "
            f"{TARGET_RATIO:g}x Prism static ({TARGET_RATIO * prism_rps:.0f} req/s) leaves "
            f"{budget:.2f} ms of CPU per request on one core, "
            f"{cpu / budget:.1f} times less than now."
        )
    lines[0] += (
        f" In-process, the app's own time per request is {handler:.0%} our handler and "
        "wire code (twenty invoice dicts: Money arithmetic, up to three `strftime` each), "
        f"{ours:.0%} our middlewares and validation hook, and {framework:.0%} the framework "
        "around them: connexion's handler decorators re-wrap the handler and snake-case "
        f"its parameters on every request ({decorators:.0%}), and call "
        "`inspect.signature` on the handler and the security function every time "
        f"({signatures:.0%}); request validation and query parsing build a "
        "jsonschema `Draft4Validator` per parameter per request (our "
        "`NamedParameterValidator` does, like connexion's `ParameterValidator` it "
        f"replaces) ({validation:.0%}); Starlette's routing (Swagger UI's router and connexion's "
        f"both match the path), headers and responses {starlette:.0%}; the hop to a "
        f"worker thread for the sync handler {threadpool:.0%}; JSON encoding "
        f"{encoding:.1%}. cProfile inflates many small Python calls, so the shares are "
        "indicative."
    )
    quiet = report.get("mock_quiet")
    if mock and quiet:
        loud = mock["measurements"][0]["wrk"]["rps"]
        calm = quiet["measurements"][0]["wrk"]["rps"]
        noise = abs(calm / loud - 1) < 0.05
        lines[0] += (
            " Outside the profile: `cli.py` passes `access_log=args.log_format == "
            '"off"`, so `--log-format off` turns uvicorn\'s line per request *on* (the '
            "README says off means none). The same app with it off served "
            f"{calm:.0f} req/s against {loud:.0f} ({_fmt_ratio(calm, loud)})"
            + (
                ": within run-to-run noise, so a correctness bug rather than a lever."
                if noise
                else "."
            )
        )
    cap = 1 / max(1 - handler - encoding, 0.01)
    lines += [
        "",
        "**What would close the gap** (report only; nothing in `src/` was changed):",
        "",
        "- *Caching deterministic responses.* The same request, seed, scenario and state "
        "give the same bytes. Behind connexion (in the handler) a cache saves the handler, "
        f"wire and encoding work, {handler + encoding:.0%}, at most {cap:.1f}x on the "
        "app's time and less served. The gap needs it in front of connexion: a middleware "
        "answering cached bytes keyed on the raw request (method, path, query, "
        "credentials, Org-Handle/Product-Id) plus a store generation that every "
        "`Store.update` and `reset` bumps, bypassed for requests with steering headers "
        "(latency and faults draw per request) and for writes. Validation and auth "
        "results are the same for the same request, so this keeps the contract.",
        f"- *A faster JSON encoder* (orjson through connexion's jsonifier): {encoding:.1%} "
        "of the app's time; not a lever on its own.",
        "- *Less per-request framework work.* `async def` handlers skip the thread hop "
        f"({threadpool:.0%}); caching one `Draft4Validator` per parameter schema in "
        "`NamedParameterValidator` (ours, in `src/billing_mock/validation.py`); Swagger UI served "
        "by a plain route instead of a router in front of every request; connexion "
        "re-decorating the handler and inspecting its signature per request is "
        f"connexion's own ({decorators + signatures:.0%}; an upstream fix or a patched "
        "decorator). Dropping our own middlewares gains at most their "
        f"{ours:.0%}, and the uvicorn access log fix above is free.",
        "- *Several uvicorn workers.* Reads scale with cores, but state is per process: "
        "checkouts, plan changes, `X-Mock-Seed` stores and `/__mock/reset` would land in "
        "one worker only, so a checkout on one worker is invisible to a read on another "
        "and the soak's state check would fail. Only acceptable with state shared outside "
        "the process or for a read-only mode. On this 2-core machine wrk needs one core, "
        "so workers could not show much here anyway.",
    ]
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """The report for people: targets, side-by-side figures, soak, profile, notes."""
    load = report["load"]
    tools = report["tools"]
    lines = [
        "# Benchmark: billing-mock against Stoplight Prism (issue 7)",
        "",
        f"Run {report['started']} on {report['machine']}; `make bench` "
        f"({report['elapsed_s']:.0f} s in all). wrk {load['threads']} threads, "
        f"{load['connections']} connections, {load['warmup']:g} s warm-up then "
        f"{load['duration']:g} s measured, per operation, one server at a time, all on "
        f"127.0.0.1 (wrk and the server share the machine's cores). Tools: "
        f"{tools['wrk_version'] or 'wrk missing'}; Prism {tools['prism_version'] or 'missing'} "
        f"(node {tools['node_version'] or '?'}); Python {report['python']}.",
        "",
    ]
    if tools["failures"]:
        lines += ["**Tool failures:**", "", *(f"- {failure}" for failure in tools["failures"])]
        lines.append("")
    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target in report["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | {'yes' if target['met'] else 'NO'} |"
        )
    lines.append("")
    if report.get("mock"):
        lines += [
            "## Mock and Prism, side by side",
            "",
            "Request validation and auth on in both (Prism checks the security scheme's "
            "presence and the parameters). The mock: one `billing-mock serve --log-format "
            "off` process with every API; Prism: one `prism mock` process per contract, "
            "static mode (the first example of the first 2xx response), default logging to "
            "a discarded stdout. Prism's static bodies are the contracts' examples, so "
            "they are smaller than the mock's 20 or 26 generated invoices (body bytes). The "
            "last row is Prism's dynamic mode (`-d`: bodies generated from the schema on "
            "every request). Ratios are mock / Prism: above 1 is better for req/s, below 1 "
            "for latency and memory.",
            "",
            *_side_by_side(report),
            "",
            "## Every run",
            "",
            "`mock-quiet` is a diagnostic: the same app served by `uvicorn.run` with "
            "uvicorn's access log off (see the profile section); it also skips "
            "`billing_mock.cli`'s imports, hence its lower RSS. `prism-static-quiet` is "
            "Prism with `-v silent`. Server CPU: the server's CPU seconds per second "
            "during the measured run (100%: one core).",
            "",
            *_server_rows(
                [
                    report["mock"],
                    *report.get("prism_static", []),
                    *report.get("prism_dynamic", []),
                    *([report["mock_quiet"]] if report.get("mock_quiet") else []),
                    *report.get("prism_quiet", []),
                ]
            ),
            "",
        ]
    if report.get("startup_s"):
        lines += [*_startup_section(report), ""]
    soak_result = report.get("soak")
    if soak_result:
        result = soak_result["wrk"]
        lines += [
            "## Soak",
            "",
            f"{soak_result['seconds']:g} s at a paced {soak_result['target_rate']:.0f} req/s "
            f"({SOAK_SHARE:.0%} of the mock's Unpod capacity) on a fresh mock, mix per 10 "
            f"requests {soak_result['mix']} (`bench/results/soak-mix.tsv`, `bench/soak.lua`); "
            f"checkouts stop for the last {soak_result['drain_seconds']:g} s so each one sent "
            "is answered before wrk stops.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| achieved | {result['requests']} requests, {result['rps']:.0f} req/s |",
            f"| latency p50 / p99 / max | {result['p50_ms']:.2f} / {result['p99_ms']:.2f} / "
            f"{result['max_ms']:.1f} ms |",
            f"| statuses | {soak_result['statuses']} |",
            f"| errors | {soak_result['non_2xx']} non-2xx, {result['transport_errors']} "
            "transport |",
            f"| checkouts sent / 201 | {soak_result['checkouts_sent']} / "
            f"{soak_result['checkouts_created']} |",
            f"| lumen.studio orders before / after | {soak_result['orders_before']} / "
            f"{soak_result['orders_after']} |",
            f"| lumen.studio payments before / after | {soak_result['payments_before']} / "
            f"{soak_result['payments_after']} |",
            f"| subscription after | {soak_result['subscription_status']} (unchanged: "
            f"{soak_result['checks']['subscription_unchanged']}) |",
            f"| RSS start / end / peak | {soak_result['rss_start_mb']:.1f} / "
            f"{soak_result['rss_end_mb']:.1f} / {soak_result['rss_peak_mb']:.1f} MB |",
            "| RSS over the soak (s: MB) | "
            + ", ".join(f"{at:g}: {mb:.1f}" for at, mb in soak_result["rss_timeline_mb"])
            + " |",
            f"| checks | {soak_result['checks']} |",
            "",
            "The state grows by one order per checkout (kept in the process, oldest "
            "first), so RSS rising with the checkouts is expected; "
            f"{_per_thousand(soak_result)} MB per 1000 orders in this run.",
            "",
        ]
    if report.get("profile"):
        lines += [*_profile_section(report["profile"], report), ""]
    return "\n".join(lines)


def _per_thousand(soak_result: dict[str, Any]) -> str:
    orders = soak_result["orders_after"] - soak_result["orders_before"]
    if orders <= 0:
        return "n/a"
    growth = soak_result["rss_end_mb"] - soak_result["rss_start_mb"]
    return f"{growth * 1000 / orders:.2f}"


def write_reports(report: dict[str, Any]) -> None:
    """report.json (every figure) and report.md (for people) in bench/results/."""
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "report.md").write_text(render_markdown(report), encoding="utf-8")
    say(f"wrote {RESULTS / 'report.md'} and {RESULTS / 'report.json'}")


# --- the whole run ----------------------------------------------------------------------


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
        "python": platform.python_version(),
        "load": asdict(load),
        "operations": [asdict(operation) for operation in ops],
        "tools": asdict(tools),
    }
    status = 0
    try:
        if tools.wrk:
            mock = bench_mock(ops, load)
            report["mock"] = asdict(mock)
            if tools.prism:
                report["prism_static"] = [asdict(bench_prism(op, load, "static")) for op in ops]
                report["prism_dynamic"] = [asdict(bench_prism(ops[0], load, "dynamic"))]
                report["prism_quiet"] = [asdict(bench_prism(ops[0], load, "static-quiet"))]
            report["mock_quiet"] = asdict(bench_mock(ops[:1], load, quiet=True))
            capacity = mock.measurements[0].wrk.rps
            rate = args.soak_rate or SOAK_SHARE * capacity
            if args.soak > 0:
                report["soak"] = soak(ops, credentials, rate, args.soak, load)
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
    write_reports(report)
    for target in report["targets"]:
        say(f"{'met ' if target['met'] else 'MISS'}  {target['target']}: {target['measured']}")
    return status


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
        "--soak-rate", type=float, help="soak req/s (default 80%% of measured Unpod capacity)"
    )
    parser.add_argument("--startup-runs", type=int, default=3, help="extra start-up trials (3)")
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
