"""Request bodies checked before connexion reads them: bounded in size, typed, parseable.

connexion and Starlette read a body whole, with no size limit, and a body sent without
a `Content-Type` reaches a handler as bytes (a 500, or a change made without the
options the body asked for). JSON nested thousands deep or an integer of thousands of
digits makes Python's `json` raise RecursionError or ValueError deep inside connexion.
`RequestBodies` refuses all of these first, as 4xx that each API renders in its own
envelope:

    413  the body is larger than `max_body` bytes (Content-Length, or as it streams)
    408  the body did not all come within `body_timeout` seconds (a trickle that would
         hold a connection, and a slot of --max-connections, for ever)
    415  a body without a Content-Type
    400  a JSON body that is not JSON Python can hold (too deep, a huge integer, not UTF-8)

A body that passes is handed on unchanged.
"""

from __future__ import annotations

import asyncio
import json

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.server.errors import UNREADABLE_BODY
from billing_mock.settings import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY

MAX_JSON_DEPTH = 100
"""Nesting a JSON body may have: the contracts' bodies nest three levels at most, and
connexion's own parse, deeper in the stack than ours, overflows Python's recursion limit
somewhere near 950, so a parse here cannot tell how deep is too deep for it."""

BODY_TOO_LARGE = "Request body too large: at most {limit} bytes."
CLIENT_LEFT = "The client closed the connection before sending the whole body."
BODY_TOO_SLOW = "Request body too slow: not all of it came within {seconds:g} seconds."
NO_CONTENT_TYPE = "Unsupported media type: a request body needs a Content-Type."
UNREADABLE_JSON = "Malformed request body: {reason}."


class RequestBodies:
    """ASGI middleware inside connexion's exception handling (so its errors reach the
    API's error handler); see the module docstring for what it refuses.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = DEFAULT_MAX_BODY,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self._app = app
        self._max_body = max_body
        self._body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request's body, then serve the request with it."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdecimal() and int(declared) > self._max_body:
            raise HTTPException(413, BODY_TOO_LARGE.format(limit=self._max_body))
        try:
            async with asyncio.timeout(self._body_timeout):
                body = await self._read(receive)
        except TimeoutError:
            raise HTTPException(408, BODY_TOO_SLOW.format(seconds=self._body_timeout)) from None
        if body and "content-type" not in headers:
            raise HTTPException(415, NO_CONTENT_TYPE)
        if body and _is_json(headers.get("content-type", "")):
            _check_json(body)
            scope["headers"] = _media_type_lower_case(scope["headers"])
        await self._app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        """The whole body, refused as soon as it passes the limit."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise HTTPException(400, CLIENT_LEFT)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise HTTPException(413, BODY_TOO_LARGE.format(limit=self._max_body))
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read already, then whatever comes next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _media_type_lower_case(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with Content-Type's media type in lower case (`Application/JSON;
    charset=UTF-8` -> `application/json; charset=UTF-8`): RFC 9110 makes it
    case-insensitive, but connexion compares it as written and hands the body on as bytes.
    """
    lowered = []
    for name, value in headers:
        if name == b"content-type":
            media, semicolon, parameters = value.partition(b";")
            value = media.strip().lower() + semicolon + parameters
        lowered.append((name, value))
    return lowered


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _check_json(body: bytes) -> None:
    """Raise a 400 if `body` is JSON that Python's parser cannot hold: nested deeper than
    MAX_JSON_DEPTH, or an integer longer than `int` reads (4,300 digits). A body that is
    not JSON at all is left to connexion, which answers it in its own words.
    """
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _depth(body) > MAX_JSON_DEPTH:
        raise HTTPException(
            400, UNREADABLE_JSON.format(reason=f"nested deeper than {MAX_JSON_DEPTH} levels")
        )
    try:
        json.loads(body)
    except UnicodeDecodeError:
        raise HTTPException(400, UNREADABLE_BODY) from None
    except json.JSONDecodeError:
        return
    except RecursionError:
        raise HTTPException(400, UNREADABLE_JSON.format(reason="nested too deep")) from None
    except ValueError:
        raise HTTPException(400, UNREADABLE_JSON.format(reason="a number too long")) from None


def _depth(body: bytes) -> int:
    """The deepest nesting of `[` and `{` outside strings, counted without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # a backslash escapes the next character
                escaped = True
            elif byte == 0x22:  # the closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest
