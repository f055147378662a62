"""Request bodies checked before connexion reads them: bounded in size and time, typed.

connexion and Starlette read a body whole, with no size limit and no deadline, and a
body sent without a `Content-Type` (or with one in another letter case than the
contract's) reaches a handler as bytes: a 500, or a change made without the options the
body asked for. `RequestBodies` refuses these first, as 4xx that each API renders in its
own envelope:

    413  the body is larger than `max_body` bytes (Content-Length, or as it streams)
    408  the body did not all come within `body_timeout` seconds (a trickle that would
         hold a connection, and a slot of --max-connections, for ever)
    415  a body without a Content-Type

and hands a JSON body's media type on in lower case. JSON that Python cannot parse is
refused where connexion parses it (`contract.validation.ParsedJSONBodyValidator`).
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.settings import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY

BODY_TOO_LARGE = "Request body too large: at most {limit} bytes."
CLIENT_LEFT = "The client closed the connection before sending the whole body."
BODY_TOO_SLOW = "Request body too slow: not all of it came within {seconds:g} seconds."
NO_CONTENT_TYPE = "Unsupported media type: a request body needs a Content-Type."


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
        if body and "content-type" in headers:
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
