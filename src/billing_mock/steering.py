"""How a frontend steers the mock per request (issue 6), as ASGI middleware around connexion.

    Prefer: code=404 | example=<name> | code=404, example=<name>   Prism's response selection
    X-Mock-Scenario: failed-payment     every organisation shown in a domain scenario
    X-Mock-Seed: 7                      data generated for another seed (its own state)
    X-Mock-Latency: 250 | 100-800       milliseconds added, fixed or drawn from a range
    X-Mock-Fault: 500 | drop            fail this request: a 500, or a dropped connection
    X-Mock-Fault-Rate: 0.2              ...only on this share of requests (default 1)

Server-wide defaults come from `billing-mock serve` flags (`request_state.Settings`). A bad
value is a 400 in the API's own error envelope naming what is allowed. Nothing here
changes another request: faults and latency are drawn per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Mapping
from functools import cache
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock import contracts
from billing_mock.apis.registry import api_for_path
from billing_mock.domain.errors import InvalidRequest
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.domain.store import requested_scenario
from billing_mock.request_state import Range, settings_of, use_store

logger = logging.getLogger("billing_mock.requests")

INJECTED_FAULT = "Injected fault (X-Mock-Fault): the mock failed this request on purpose."
FAULTS = ("500", "drop")
_PREFER_ITEM = re.compile(r"\s*([a-z]+)\s*=\s*\"?([^\",]*)\"?\s*")


class Steering:
    """Applies X-Mock-Seed, X-Mock-Scenario, X-Mock-Latency and X-Mock-Fault (and the
    server's defaults for latency and faults) to each request. Sits inside connexion's
    exception handling, so a bad header is rendered by the API's own error handler.
    """

    def __init__(self, app: ASGIApp, seed: int) -> None:
        self._app = app
        self._random = random.Random(seed)  # one event loop: draws need no lock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request as its steering headers ask."""
        api = api_for_path(scope["path"]) if scope["type"] == "http" else None
        if api is None or not api.vendor:
            # The control API and the index are never slowed, failed or re-seeded.
            await self._app(scope, receive, send)
            return
        headers, settings = Headers(scope=scope), settings_of(scope)
        seed = headers.get("x-mock-seed")
        if seed is not None:
            if settings.stores is None or not seed.isdigit():
                raise InvalidRequest(f"X-Mock-Seed must be a non-negative integer, not {seed!r}")
            use_store(scope, settings.stores(int(seed)))
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
        token = requested_scenario.set(scenario)
        try:
            await self._app(scope, receive, send)
        finally:
            requested_scenario.reset(token)


class RequestLog:
    """One log line per request: method, path, status, milliseconds, scenario.

    `text` reads `GET /api/billing/subscription/me 200 3.1ms scenario=-`; `json` writes
    one JSON object per line for log tools. Outermost, so errors and faults are logged.
    """

    def __init__(self, app: ASGIApp, log_format: str) -> None:
        self._app = app
        self._format = log_format

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request and log it."""
        if scope["type"] != "http" or self._format == "off":
            await self._app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, record)
        finally:
            line = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "scenario": Headers(scope=scope).get("x-mock-scenario"),
            }
            logger.info(json.dumps(line) if self._format == "json" else _text(line))


class Prefer:
    """Prism's response selection: `Prefer: code=N`, `example=name`, or both.

    Runs after security and validation (connexion's BEFORE_CONTEXT), so a caller still
    needs valid credentials and input. A documented 2xx code runs the handler (data from
    the fixtures); another code answers that response's first documented example (the
    API's own envelope); a named example answers that example. An undocumented code or
    an unknown name is a 400 naming what exists.
    """

    def __init__(self, app: ASGIApp, specs: Mapping[str, str]) -> None:
        self._app = app
        self._specs = specs  # base path -> contract file name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the contract when the request prefers it, else pass through."""
        prefer = _prefer(Headers(scope=scope).get("prefer")) if scope["type"] == "http" else {}
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        spec = self._specs.get(routing.get("api_base_path", ""))
        if not prefer or spec is None or not routing.get("operation_id"):
            await self._app(scope, receive, send)
            return
        operation_id = routing["operation_id"]
        responses = _operations(spec)[operation_id]["responses"]
        code, name = prefer.get("code"), prefer.get("example")
        if code is not None and code not in responses:
            raise InvalidRequest(
                f"Prefer: code={code} is not a response of {operation_id}; "
                f"documented: {', '.join(responses)}"
            )
        if name is None and code is not None and code.startswith("2"):
            await self._app(scope, receive, send)
            return
        status, media, body = _example(spec, operation_id, responses, code, name)
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = [
            (b"content-type", media.encode()),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": int(status), "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _example(
    spec: str, operation_id: str, responses: Mapping[str, Any], code: str | None, name: str | None
) -> tuple[str, str, Any]:
    """(status, media type, example value) chosen by `code` and/or example `name`."""
    named: list[str] = []
    for status, response in responses.items():
        if code is not None and status != code:
            continue
        for media, content in _resolve(spec, response).get("content", {}).items():
            examples = {
                key: _resolve(spec, value) for key, value in content.get("examples", {}).items()
            }
            if name is None:
                if "example" in content:
                    return status, media, content["example"]
                if examples:
                    return status, media, next(iter(examples.values())).get("value")
                continue
            if name in examples:
                return status, media, examples[name].get("value")
            named += [f"{key} ({status})" for key in examples]
    if name is None:
        raise InvalidRequest(f"Response {code} of {operation_id} has no documented example")
    raise InvalidRequest(
        f"Prefer: example={name} is not an example of {operation_id}"
        + (f" {code}" if code else "")
        + f"; named examples: {', '.join(named) or 'none'}"
    )


@cache
def _operations(spec: str) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for item in contracts.document(spec)["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _resolve(spec: str, node: Any) -> Any:
    """Follow a local `$ref` (`#/components/...`) in the contract."""
    while isinstance(node, dict) and "$ref" in node:
        found: Any = contracts.document(spec)
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def _prefer(value: str | None) -> dict[str, str]:
    """`code=404, example=expired` as a dict; unknown preferences (Prism's `dynamic`) ignored."""
    preferences = {}
    for item in (value or "").split(","):
        match = _PREFER_ITEM.fullmatch(item)
        if match and match.group(1) in ("code", "example"):
            preferences[match.group(1)] = match.group(2)
    return preferences


def _range(value: str | None) -> Range | None:
    """`250` or `100-800` (milliseconds); InvalidRequest for anything else."""
    if value is None:
        return None
    try:
        return parse_range(value)
    except ValueError as error:
        raise InvalidRequest(f"X-Mock-Latency {error}") from None


def parse_range(value: str) -> Range:
    """`250` or `100-800` as a Range of milliseconds; ValueError naming the problem."""
    low, _, high = value.partition("-")
    try:
        bounds = Range(float(low), float(high or low))
    except ValueError:
        raise ValueError(f"must be milliseconds like 250 or 100-800, not {value!r}") from None
    if not 0 <= bounds.low <= bounds.high <= 60_000:
        raise ValueError(f"must be 0 to 60000 ms, low before high, not {value!r}")
    return bounds


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


def _text(line: Mapping[str, Any]) -> str:
    scenario = line["scenario"] or "-"
    return f"{line['method']} {line['path']} {line['status']} {line['ms']}ms scenario={scenario}"
