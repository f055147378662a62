"""One log line per request (`--log-format`): method, path, status, milliseconds, scenario."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("billing_mock.requests")


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


def _text(line: Mapping[str, Any]) -> str:
    scenario = line["scenario"] or "-"
    return f"{line['method']} {line['path']} {line['status']} {line['ms']}ms scenario={scenario}"
