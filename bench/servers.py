"""The servers under test: start, first 200, stop; and their RSS and CPU while they run."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil
from operations import SEED
from paths import OPENAPI, ROOT
from progress import say
from tools import PRISM

HOST = "127.0.0.1"
MB = 1024 * 1024


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
        self.process_peak = 0
        """The largest RSS of any one process of the tree, over the sampler's life."""
        self.timeline: list[tuple[float, int]] = []
        """(seconds since the sampler was made, RSS) of every sample."""

    def current(self) -> int:
        """RSS in bytes now, of the process and every descendant (the largest one's RSS
        counts towards `process_peak`: a worker's, when the server has workers).
        """
        total = 0
        with contextlib.suppress(psutil.Error):
            for process in [self._process, *self._process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    rss = process.memory_info().rss
                    total += rss
                    self.process_peak = max(self.process_peak, rss)
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


def serve_quiet(port: int) -> int:
    """The app `billing-mock serve --log-format off` serves, run by `uvicorn.run` directly
    with uvicorn's access log off and without `billing_mock.cli`: a diagnostic, so that
    anything the CLI adds per request (logging, for one) shows as a difference in req/s.
    """
    import uvicorn

    from billing_mock.app import create_app
    from billing_mock.data.stores import load_stores
    from billing_mock.settings import Settings

    settings = Settings(log_format="off")
    app = create_app(load_stores(SEED), settings=settings)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)
    return 0
