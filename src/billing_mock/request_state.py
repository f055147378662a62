"""Carries the Store to code connexion calls by name (security functions) via the ASGI scope."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.domain.store import Store

_SCOPE_KEY = "billing_mock.store"


class StoreMiddleware:
    """Puts the app's Store into every request's scope; see `store_of`."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self._app = app
        self._store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_SCOPE_KEY] = self._store
        await self._app(scope, receive, send)


def store_of(request: Any) -> Store:
    """The Store of the app serving `request` (a connexion or Starlette request)."""
    store: Store = request.scope[_SCOPE_KEY]
    return store
