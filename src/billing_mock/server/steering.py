"""How a frontend steers the mock per request, as ASGI middleware around connexion.

    X-Mock-Scenario: failed-payment     every organisation shown in a domain scenario
    X-Mock-Seed: 7                      data generated for another seed (its own state)
    X-Mock-Latency: 250 | 100-800       milliseconds added, fixed or drawn from a range
    X-Mock-Fault: 500 | drop            fail this request: a 500, or a dropped connection
    X-Mock-Fault-Rate: 0.2              ...only on this share of requests (default 1)

Server-wide defaults come from `billing-mock serve` flags (`settings.Settings`). A bad
value is a 400 in the API's own error envelope naming what is allowed. Nothing here
changes another request: faults and latency are drawn per request, and a seed or a
scenario picks the world (`request_state.use_store`) that serves this request alone.
Prism's `Prefer` is in `prefer.py`.
"""

from __future__ import annotations

import asyncio
import random

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.domain.errors import InvalidRequest
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.server.request_state import settings_of, store_of, stores_of, use_store
from billing_mock.server.routing import Capability, Mount, Mounts
from billing_mock.settings import FAULTS, Range, parse_range

INJECTED_FAULT = "Injected fault (X-Mock-Fault): the mock failed this request on purpose."


class Steering:
    """Applies X-Mock-Seed, X-Mock-Scenario, X-Mock-Latency and X-Mock-Fault (and the
    server's defaults for latency and faults) to each request. Sits inside connexion's
    exception handling, so a bad header is rendered by the API's own error handler.
    """

    def __init__(self, app: ASGIApp, mounts: Mounts[Mount], seed: int) -> None:
        self._app = app
        self._mounts = mounts
        self._random = random.Random(seed)  # one event loop: draws need no lock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request as its steering headers ask."""
        steered = scope["type"] == "http" and self._mounts.taking_part_in(
            scope["path"], Capability.STEERING
        )
        if not steered:
            # The control API and the index are never slowed, failed or re-seeded.
            await self._app(scope, receive, send)
            return
        headers, settings = Headers(scope=scope), settings_of(scope)
        seed = headers.get("x-mock-seed")
        if seed is not None:
            if not seed.isdigit():
                raise InvalidRequest(f"X-Mock-Seed must be a non-negative integer, not {seed!r}")
            use_store(scope, stores_of(scope).for_seed(int(seed)))
        scenario = headers.get("x-mock-scenario")
        if scenario is not None and scenario not in SCENARIOS:
            raise InvalidRequest(
                f"Unknown X-Mock-Scenario {scenario!r}; known: {', '.join(SCENARIOS)}"
            )
        latency = _range(headers.get("x-mock-latency")) or settings.latency
        fault = headers.get("x-mock-fault", settings.fault)
        if fault is not None and fault not in FAULTS:
            raise InvalidRequest(f"X-Mock-Fault must be one of {', '.join(FAULTS)}, not {fault!r}")
        rate = _rate(
            headers.get("x-mock-fault-rate"),
            1.0 if "x-mock-fault" in headers else settings.fault_rate,
        )
        if latency is not None:
            await asyncio.sleep(self._random.uniform(latency.low, latency.high) / 1000)
        if fault is not None and self._random.random() < rate:
            if fault == "drop":
                await _drop(send)
                return
            raise HTTPException(500, INJECTED_FAULT)
        if scenario is not None:
            use_store(scope, store_of(scope).in_scenario(scenario))
        await self._app(scope, receive, send)


def _range(value: str | None) -> Range | None:
    """`250` or `100-800` (milliseconds); InvalidRequest for anything else."""
    if value is None:
        return None
    try:
        return parse_range(value)
    except ValueError as error:
        raise InvalidRequest(f"X-Mock-Latency {error}") from None


def _rate(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 1:
        raise InvalidRequest(f"X-Mock-Fault-Rate must be a number from 0 to 1, not {value!r}")
    return rate


async def _drop(send: Send) -> None:
    """A connection dropped mid-response: headers promise a body that never comes."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise ConnectionAbortedError("X-Mock-Fault: drop")
