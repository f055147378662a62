"""What code needs of the current request: its Store and the server's settings (via the
ASGI scope), and its origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import connexion
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.domain.store import Store

_STORE_KEY = "billing_mock.store"
_SETTINGS_KEY = "billing_mock.settings"


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds, e.g. a latency of 100 to 300 milliseconds."""

    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Settings:
    """How the server was started: what `billing-mock serve`'s flags set.

    control_token  the token of the control API (`/__mock`); None: loopback callers only
    cors_origins   origins allowed to call from a browser; empty: any localhost port
    latency        milliseconds added to every response (a range draws per request)
    fault          "500" or "drop", injected on a `fault_rate` share of requests
    log_format     "text", "json" (one JSON object per line) or "off"
    stores         the Store for another seed (`X-Mock-Seed`); None: the header is refused
    """

    control_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    latency: Range | None = None
    fault: str | None = None
    fault_rate: float = 0.0
    log_format: str = "off"
    stores: Callable[[int], Store] | None = field(default=None, compare=False)


class StoreMiddleware:
    """Puts the Store and the Settings into every request's scope; see `store_of`.

    A Store already chosen for the request (another seed, by the steering middleware)
    is kept.
    """

    def __init__(self, app: ASGIApp, store: Store, settings: Settings) -> None:
        self._app = app
        self._store = store
        self._settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with the Store and the Settings in its scope."""
        scope.setdefault(_STORE_KEY, self._store)
        scope[_SETTINGS_KEY] = self._settings
        await self._app(scope, receive, send)


def use_store(scope: Scope, store: Store) -> None:
    """Serve this request (scope) from `store` instead of the app's."""
    scope[_STORE_KEY] = store


def store_of(request: Any) -> Store:
    """The Store serving `request` (a connexion or Starlette request, or its scope)."""
    store: Store = _scope(request)[_STORE_KEY]
    return store


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
