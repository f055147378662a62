"""Starts `billing-mock proxy` as a real process on a free loopback port (for the proxy tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.e2e.test_serve import BIN, _free_port, running

__all__ = ["BIN", "REPORT", "Proxy", "proxying"]
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
    proxy = Proxy(f"http://127.0.0.1:{port}")
    command = ["proxy", "--upstream", upstream, "--port", str(port), *flags]
    # The report path, not "/": a request to "/" would be forwarded and counted.
    with running(command, proxy.origin, REPORT, proxy.output):
        yield proxy
