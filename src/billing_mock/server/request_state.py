"""Which world (Store) and which settings serve the current request, via its ASGI scope.

`StoreMiddleware` puts the server's Stores and Settings in every request's scope; the
steering middleware may ask for another world for one request (`use_sandbox`, a named
sandbox, `seed-<n>` for `X-Mock-Seed`; `use_scenario`, a scenario's view). The world is
chosen only when it is needed (`store_of`, when the handler is called, after auth and
validation), so a request that is refused before its handler makes no sandbox. Handlers
get the chosen Store as their first argument; security functions, which connexion calls
by name, look credentials up with `credentials_of(request)`, which builds nothing.
"""

from __future__ import annotations

from typing import Any

import connexion
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.data.stores import Stores
from billing_mock.domain.store import Store
from billing_mock.settings import Settings

_STORES_KEY = "billing_mock.stores"
_SANDBOX_KEY = "billing_mock.sandbox"
_SCENARIO_KEY = "billing_mock.scenario"
_SETTINGS_KEY = "billing_mock.settings"


class StoreMiddleware:
    """Puts the Stores and the Settings into every request's scope."""

    def __init__(self, app: ASGIApp, stores: Stores, settings: Settings) -> None:
        self._app = app
        self._stores = stores
        self._settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with the Stores and the Settings in its scope."""
        scope[_STORES_KEY] = self._stores
        scope[_SETTINGS_KEY] = self._settings
        await self._app(scope, receive, send)


def use_sandbox(scope: Scope, name: str) -> None:
    """Serve this request (scope) from sandbox `name`; nothing is made until `store_of`."""
    scope[_SANDBOX_KEY] = name


def use_scenario(scope: Scope, name: str) -> None:
    """Show this request (scope) its world in scenario `name` (a known scenario's name)."""
    scope[_SCENARIO_KEY] = name


def store_of(request: Any) -> Store:
    """The Store serving `request` (a connexion or Starlette request, or its scope): the
    default one, or the sandbox asked for (made on first use, see `Stores.sandbox`),
    shown in the scenario asked for, if any.
    Call it once the request is authenticated.
    """
    scope = _scope(request)
    sandbox: str | None = scope.get(_SANDBOX_KEY)
    stores = stores_of(scope)
    store = stores.default if sandbox is None else stores.sandbox(sandbox)
    scenario: str | None = scope.get(_SCENARIO_KEY)
    return store if scenario is None else store.in_scenario(scenario)


def sandbox_of(request: Any) -> str | None:
    """The sandbox `request` asked for by name (`X-Mock-Sandbox`), or None."""
    name: str | None = _scope(request).get(_SANDBOX_KEY)
    return name


def credentials_of(request: Any) -> Store:
    """The Store to look `request`'s credentials up in: the default one, whichever seed
    the request asks for. Every seed's world is built from one FixtureSet, so users,
    tokens, API keys and sessions are the same in all; looking them up builds nothing.
    """
    return stores_of(request).default


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
