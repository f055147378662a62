"""How a frontend steers the mock per request, as ASGI middleware around connexion.

    X-Mock-Scenario: failed-payment     every organisation shown in a domain scenario
    X-Mock-Seed: 7                      data generated for another seed (its own state)
    X-Mock-Latency: 250 | 100-800       milliseconds added, fixed or drawn from a range
    X-Mock-Fault: 500 | 502 | 503 | 504 | drop | timeout
                                        fail this request: that 5xx, a dropped connection,
                                        or no answer until the client gives up
    X-Mock-Fault-Rate: 0.2              ...only on this share of requests (default 1)

Server-wide defaults come from `billing-mock serve` flags (`settings.Settings`). A bad
value is a 400 in the API's own error envelope naming the allowed form (ASCII digits,
bounded lengths), with the value echoed cut to ECHO_LIMIT characters. Nothing here
changes another request: faults and latency are drawn per request, and a seed or a
scenario picks the world (`request_state.use_sandbox`, `use_scenario`) that serves this
request alone, chosen only once the request reaches its handler. Prism's `Prefer` is in
`prefer.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.data.stores import SANDBOX_NAME, Stores
from billing_mock.domain.errors import InvalidRequest
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.server.errors import cut
from billing_mock.server.request_state import (
    settings_of,
    stores_of,
    use_sandbox,
    use_scenario,
)
from billing_mock.server.routing import Capability, Mount, Mounts
from billing_mock.settings import FAULT_TIMEOUT_HOLD, FAULTS, Range, parse_range

INJECTED_FAULT = "Injected fault (X-Mock-Fault): the mock failed this request on purpose."

ECHO_LIMIT = 40
"""Characters of a bad header value echoed in an error message or a log line."""

SANDBOX_INVALID = (
    "X-Mock-Sandbox must be 1 to 63 lower-case ASCII letters, digits and hyphens, "
    "starting with a letter or digit, not {value}"
)
SANDBOX_AND_SEED = "Send X-Mock-Sandbox or X-Mock-Seed, not both: a seed is the sandbox seed-<n>"
SEED_INVALID = "X-Mock-Seed must be 1 to 18 ASCII digits (0 to 999999999999999999), not {value}"
LATENCY_INVALID = (
    "X-Mock-Latency must be milliseconds like 250 or 100-800 (ASCII digits, at most 3 "
    "decimals, 0 to 60000, low before high), not {value}"
)
FAULT_INVALID = "X-Mock-Fault must be one of {allowed}, not {value}"
FAULT_RATE_INVALID = (
    "X-Mock-Fault-Rate must be a decimal from 0 to 1 like 0.2 (ASCII digits, at most 6 "
    "decimals), not {value}"
)
SCENARIO_UNKNOWN = "Unknown X-Mock-Scenario {value}; known: {known}"

# `[0-9]`, not `\d` or str.isdigit(): those take any Unicode digit (`²`, `١`), which
# int() then refuses or reads as another number. 18 digits always fit a 64-bit seed.
_SEED = re.compile(r"[0-9]{1,18}")
_MILLISECONDS = r"[0-9]{1,5}(?:\.[0-9]{1,3})?"
_LATENCY = re.compile(rf"{_MILLISECONDS}(?:-{_MILLISECONDS})?")
# Spelled out because float() also takes `nan`, `inf`, `1e-1` and `0_5`.
_RATE = re.compile(r"[01]|[01]?\.[0-9]{1,6}")


class Steering:
    """Applies X-Mock-Sandbox (on every API, the control API included), and on the vendor
    APIs X-Mock-Seed, X-Mock-Scenario, X-Mock-Latency and X-Mock-Fault (and the server's
    defaults for latency and faults), to each request. Sits inside connexion's
    exception handling, so a bad header is rendered by the API's own error handler.

    Faults and latency are drawn from `random.Random(seed)`, started again whenever the
    whole server is reset (`Stores.resets` changes), so a reset server repeats a fresh
    one's pattern.
    """

    def __init__(self, app: ASGIApp, mounts: Mounts[Mount], seed: int) -> None:
        self._app = app
        self._mounts = mounts
        self._seed = seed
        self._random = random.Random(seed)  # one event loop: draws need no lock
        self._resets = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request as its steering headers ask."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        # Every API, the control API included, is served from the sandbox asked for; a
        # seed is the sandbox named after it (one mechanism).
        sandbox = _sandbox(headers.get("x-mock-sandbox"))
        seed = _seed(headers.get("x-mock-seed"))
        if seed is not None:
            if sandbox is not None:
                raise InvalidRequest(SANDBOX_AND_SEED, field="X-Mock-Seed")
            sandbox = f"seed-{seed}"
        if sandbox is not None and self._mounts.for_path(scope["path"]) is not None:
            use_sandbox(scope, sandbox)
        if not self._mounts.taking_part_in(scope["path"], Capability.STEERING):
            # The control API and the index are never slowed or failed.
            await self._app(scope, receive, send)
            return
        settings = settings_of(scope)
        scenario = _scenario(headers.get("x-mock-scenario"))
        latency = _latency(headers.get("x-mock-latency")) or settings.latency
        fault = headers.get("x-mock-fault", settings.fault)
        if fault is not None and fault not in FAULTS:
            raise InvalidRequest(
                FAULT_INVALID.format(allowed=", ".join(FAULTS), value=shown(fault)),
                field="X-Mock-Fault",
            )
        rate = _rate(
            headers.get("x-mock-fault-rate"),
            1.0 if "x-mock-fault" in headers else settings.fault_rate,
        )
        draws = self._draws(stores_of(scope))
        if latency is not None:
            await asyncio.sleep(draws.uniform(latency.low, latency.high) / 1000)
        if fault is not None and draws.random() < rate:
            if fault == "drop":
                await _drop(send)
                return
            if fault == "timeout":
                await _hold(receive)
                fault = "504"
            raise HTTPException(int(fault), INJECTED_FAULT)
        # Only asked for here: the world is built when the handler is called, after auth.
        if scenario is not None:
            use_scenario(scope, scenario)
        await self._app(scope, receive, send)

    def _draws(self, stores: Stores) -> random.Random:
        """The fault and latency draws, seeded again after each reset of the whole server."""
        if stores.resets != self._resets:
            self._random.seed(self._seed)
            self._resets = stores.resets
        return self._random


def shown(value: str) -> str:
    """`value` as an error message quotes it: cut to ECHO_LIMIT characters, in quotes."""
    return repr(cut(value, ECHO_LIMIT))


def _seed(value: str | None) -> int | None:
    if value is None:
        return None
    if not _SEED.fullmatch(value):
        raise InvalidRequest(SEED_INVALID.format(value=shown(value)), field="X-Mock-Seed")
    return int(value)


def _scenario(value: str | None) -> str | None:
    if value is not None and value not in SCENARIOS:
        message = SCENARIO_UNKNOWN.format(value=shown(value), known=", ".join(SCENARIOS))
        raise InvalidRequest(message, field="X-Mock-Scenario")
    return value


def _sandbox(value: str | None) -> str | None:
    """The sandbox named, or None; InvalidRequest for a name of another form."""
    if value is None:
        return None
    if not SANDBOX_NAME.fullmatch(value):
        raise InvalidRequest(SANDBOX_INVALID.format(value=shown(value)), field="X-Mock-Sandbox")
    return value


def _latency(value: str | None) -> Range | None:
    """`250` or `100-800` (milliseconds); InvalidRequest for anything else."""
    if value is None:
        return None
    try:
        if not _LATENCY.fullmatch(value):
            raise ValueError(value)
        return parse_range(value)  # the bounds, as `--latency` has them
    except ValueError:
        raise InvalidRequest(
            LATENCY_INVALID.format(value=shown(value)), field="X-Mock-Latency"
        ) from None


def _rate(value: str | None, default: float) -> float:
    if value is None:
        return default
    rate = float(value) if _RATE.fullmatch(value) else -1.0
    if not 0 <= rate <= 1:
        raise InvalidRequest(
            FAULT_RATE_INVALID.format(value=shown(value)), field="X-Mock-Fault-Rate"
        )
    return rate


async def _hold(receive: Receive) -> None:
    """No answer until the client gives up (disconnects), or FAULT_TIMEOUT_HOLD seconds."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), FAULT_TIMEOUT_HOLD)


async def _drop(send: Send) -> None:
    """A connection dropped mid-response: headers promise a body that never comes.

    The response is left unfinished rather than aborted with an exception: uvicorn then
    closes the connection, with one line ("ASGI callable returned without completing
    response.") instead of a traceback from every layer, and `RequestLog` logs the
    request as dropped.
    """
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
