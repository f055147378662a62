"""Which world (Store) and which settings serve the current request, via its ASGI scope.

`StoreMiddleware` puts the server's Stores and Settings in every request's scope; the
steering middleware may pick another world for one request (`use_store`: another seed,
a scenario's view). Handlers get the chosen Store as their first argument; security
functions, which connexion calls by name, find it with `store_of(request)`.
"""

from __future__ import annotations

from typing import Any

import connexion
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.data.stores import Stores
from billing_mock.domain.store import Store
from billing_mock.settings import Settings

_STORES_KEY = "billing_mock.stores"
_STORE_KEY = "billing_mock.store"
_SETTINGS_KEY = "billing_mock.settings"


class StoreMiddleware:
    """Puts the Stores, the default Store and the Settings into every request's scope."""

    def __init__(self, app: ASGIApp, stores: Stores, settings: Settings) -> None:
        self._app = app
        self._stores = stores
        self._settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with the Stores, the default Store and the Settings in its scope."""
        scope[_STORES_KEY] = self._stores
        scope[_STORE_KEY] = self._stores.default
        scope[_SETTINGS_KEY] = self._settings
        await self._app(scope, receive, send)


def use_store(scope: Scope, store: Store) -> None:
    """Serve this request (scope) from `store` instead of the default one."""
    scope[_STORE_KEY] = store


def store_of(request: Any) -> Store:
    """The Store serving `request` (a connexion or Starlette request, or its scope)."""
    store: Store = _scope(request)[_STORE_KEY]
    return store


def stores_of(request: Any) -> Stores:
    """The server's Stores, for `request` (a connexion or Starlette request, or its scope)."""
    stores: Stores = _scope(request)[_STORES_KEY]
    return stores


def settings_of(request: Any) -> Settings:
    """The server's Settings, for `request` (a connexion or Starlette request, or its scope)."""
    settings: Settings = _scope(request)[_SETTINGS_KEY]
    return settings


def _scope(request: Any) -> Scope:
    return request if isinstance(request, dict) else request.scope


def request_origin() -> str:
    """scheme://host[:port] the caller used for the current request, so links resolve on
    the server that answered (connexion's request context; only inside a request).
    """
    return str(connexion.request.base_url).rstrip("/")


def api_url() -> str:
    """The current request's origin plus the base path of the API serving it
    (`http://127.0.0.1:8000/api/billing`): where its own links point. Only inside a request.
    """
    routing = connexion.request.scope.get("extensions", {}).get("connexion_routing", {})
    return request_origin() + str(routing.get("api_base_path", ""))
