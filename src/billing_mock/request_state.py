"""What code needs of the current request: the Store (via the ASGI scope) and its origin."""

from __future__ import annotations

from typing import Any

import connexion
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.domain.store import Store

_SCOPE_KEY = "billing_mock.store"


class StoreMiddleware:
    """Puts the app's Store into every request's scope; see `store_of`."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self._app = app
        self._store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with the Store in its scope."""
        scope[_SCOPE_KEY] = self._store
        await self._app(scope, receive, send)


def store_of(request: Any) -> Store:
    """The Store of the app serving `request` (a connexion or Starlette request)."""
    store: Store = request.scope[_SCOPE_KEY]
    return store


def request_origin() -> str:
    """scheme://host[:port] the caller used for the current request, so links resolve on
    the server that answered (connexion's request context; only inside a request).
    """
    return str(connexion.request.base_url).rstrip("/")
