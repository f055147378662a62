"""CORS for the APIs that declare `Capability.CORS`, and for nothing else under an API.

Starlette's CORSMiddleware answers preflights and adds CORS headers; this puts it in
front of only the APIs that take part, so a page on another origin can call the vendor
APIs but never the control API (a localhost page could otherwise reset or read the
mock's state). Paths under no API (the index, the contracts) keep CORS, so a docs site
on another origin can fetch a contract.
"""

from __future__ import annotations

from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.server.routing import Capability, Mount, Mounts


class ApiCors:
    """CORSMiddleware, applied to a request unless its API did not declare CORS.

    `cors_options` are CORSMiddleware's (allow_origins, allow_credentials, ...).
    """

    def __init__(self, app: ASGIApp, mounts: Mounts[Mount], **cors_options: Any) -> None:
        self._app = app
        self._mounts = mounts
        self._cors = CORSMiddleware(app, **cors_options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, with CORS where its API takes part in it."""
        api = self._mounts.for_path(scope["path"]) if scope["type"] == "http" else None
        if api is not None and not api.takes_part_in(Capability.CORS):
            await self._app(scope, receive, send)
            return
        await self._cors(scope, receive, send)
