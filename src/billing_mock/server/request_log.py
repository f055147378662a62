"""One log line per request (`--log-format`): method, path, status, milliseconds, scenario.

Written straight to standard output, one write and flush per line: through the logging
module (a record, a handler lock, a formatter per line) the text log cost a quarter of
the cached path's throughput (issue 20).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.server.errors import cut
from billing_mock.server.steering import ECHO_LIMIT

DROPPED = 0
"""The status logged for a request whose response never completed (`X-Mock-Fault: drop`,
or anything else that cut a response short): `dropped` in the text format."""

_SCENARIO = b"x-mock-scenario"


class RequestLog:
    """One log line per request, on standard output: method, path, status, milliseconds,
    scenario.

    `text` reads `GET /api/billing/subscription/me 200 3.1ms scenario=-`; `json` writes
    one JSON object per line for log tools. Outermost, so errors and faults are logged. A
    response that never completed (a dropped connection) has status 0 (`DROPPED`), shown
    as `dropped` in text. The scenario is cut to `steering.ECHO_LIMIT` characters.
    """

    def __init__(self, app: ASGIApp, log_format: str) -> None:
        self._app = app
        self._format = log_format

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request and log it."""
        if scope["type"] != "http" or self._format == "off":
            await self._app(scope, receive, send)
            return
        started, status, complete = time.perf_counter(), DROPPED, False

        async def record(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                complete = not message.get("more_body", False)
            await send(message)

        try:
            await self._app(scope, receive, record)
        finally:
            scenario = next(
                (value.decode("latin-1") for name, value in scope["headers"] if name == _SCENARIO),
                None,
            )
            line = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status if complete else DROPPED,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "scenario": None if scenario is None else cut(scenario, ECHO_LIMIT),
            }
            _write(json.dumps(line) if self._format == "json" else _text(line))


def _write(line: str) -> None:
    # sys.stdout looked up per line, so a test capturing standard output sees it.
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        pass  # a log nobody reads (closed or broken standard output) must not fail requests


def _text(line: Mapping[str, Any]) -> str:
    scenario = line["scenario"] or "-"
    status = "dropped" if line["status"] == DROPPED else line["status"]
    return f"{line['method']} {line['path']} {status} {line['ms']}ms scenario={scenario}"
