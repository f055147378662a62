"""Request bodies checked before connexion reads them: bounded in size, typed, parseable.

connexion and Starlette read a body whole, with no size limit, and a body sent without
a `Content-Type` reaches a handler as bytes (a 500, or a change made without the
options the body asked for). JSON nested thousands deep or an integer of thousands of
digits makes Python's `json` raise RecursionError or ValueError deep inside connexion.
`RequestBodies` refuses all of these first, as 4xx that each API renders in its own
envelope:

    413  the body is larger than `max_body` bytes (Content-Length, or as it streams)
    415  a body without a Content-Type
    400  a JSON body that is not JSON Python can hold (too deep, a huge integer, not UTF-8)

A body that passes is handed on unchanged.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.server.errors import UNREADABLE_BODY
from billing_mock.settings import DEFAULT_MAX_BODY

BODY_TOO_LARGE = "Request body too large: at most {limit} bytes."
CLIENT_LEFT = "The client closed the connection before sending the whole body."
NO_CONTENT_TYPE = "Unsupported media type: a request body needs a Content-Type."
UNREADABLE_JSON = "Malformed request body: {reason}."


class RequestBodies:
    """ASGI middleware inside connexion's exception handling (so its errors reach the
    API's error handler); see the module docstring for what it refuses.
    """

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self._app = app
        self._max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request's body, then serve the request with it."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdecimal() and int(declared) > self._max_body:
            raise HTTPException(413, BODY_TOO_LARGE.format(limit=self._max_body))
        body = await self._read(receive)
        if body and "content-type" not in headers:
            raise HTTPException(415, NO_CONTENT_TYPE)
        if body and _is_json(headers.get("content-type", "")):
            _check_json(body)
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


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _check_json(body: bytes) -> None:
    """Raise a 400 if `body` is JSON that Python's parser cannot hold: nested deeper than
    its recursion allows, or an integer longer than `int` reads (4,300 digits). A body
    that is not JSON at all is left to connexion, which answers it in its own words.
    """
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
