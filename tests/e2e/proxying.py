"""Starts `billing-mock proxy` as a real process on a free loopback port (for the proxy tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e.test_serve import _free_port, wait_until_answering

BIN = Path(sys.executable).parent / "billing-mock"
REPORT = "/__proxy/report"


@dataclass
class Proxy:
    """A running proxy: its origin; `output` is what it printed, once it has stopped."""

    origin: str
    output: list[str] = field(default_factory=list)

    @property
    def printed(self) -> str:
        return "".join(self.output)


@contextmanager
def proxying(upstream: str, *flags: str) -> Iterator[Proxy]:
    """Run `billing-mock proxy --upstream <upstream> <flags>` until the block ends, then
    stop it with SIGTERM (as a service manager would) and keep what it printed.
    """
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN), "proxy", "--upstream", upstream, "--port", str(port), *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    proxy = Proxy(f"http://127.0.0.1:{port}")
    try:
        # The report path, not "/": a request to "/" would be forwarded and counted.
        wait_until_answering(
            proxy.origin + REPORT,
            process,
            30,
            lambda: process.stdout.read().decode() if process.stdout else "",
        )
        yield proxy
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout:
            proxy.output.append(process.stdout.read().decode())
            process.stdout.close()
