"""The places the mock reaches into connexion 3.3's internals, each for speed (issue 20).

- **Decorators built once per operation.** connexion builds the whole decorator chain
  around a handler (parameter binding, response building, the sync/async adapter) on every
  request, twice over: `AsyncOperation.fn` makes a new `StarletteDecorator` per call, whose
  wrapper decorates the handler again, and each parameter name is snake-cased again by
  `inflection`'s regular expressions. Nothing in that chain depends on the request (it is
  read from connexion's context when the decorated handler runs), so building it once
  changes no answer; it was about a fifth of the full pipeline's time. The hook is the
  class of the APIs connexion's ASGI app makes (`AsyncASGIApp.api_cls`).
- **Swagger UI's router only on its paths.** `SwaggerUIMiddleware` copies the scope and
  routes every request through a mount per API before handing it on; requests for
  anything but a Swagger UI page or connexion's served spec now skip it.
- **No response-validation layer when responses are not validated.** connexion keeps the
  middleware in the stack, looking up each request's operation, even when it checks nothing.

The last two edit `ConnexionMiddleware.middlewares`, connexion's list of middleware classes.
`tests/unit/test_connexion_internals.py` fails when connexion's behaviour at any of these
places changes, so each patch can go once connexion no longer needs it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from starlette.types import ASGIApp, Receive, Scope, Send

NAMES_KEPT = 512
"""Parameter names whose Python spelling is remembered: every name the contracts declare
many times over. Query names a client makes up pass through too, so it stays bounded."""
NAME_LIMIT = 64
"""Longer names are spelled anew each time, never remembered: at most NAMES_KEPT x 64
characters held, whatever names clients send."""


def decorate_once(app: AsyncApp) -> None:
    """Make `app` (before it starts) build each operation's decorators once."""
    app._middleware_app.api_cls = _DecoratedOnceApi


def swagger_ui_only_on(app: AsyncApp, is_docs: Callable[[str], bool]) -> None:
    """Send only requests whose path `is_docs` says is Swagger UI's (a page, its assets,
    connexion's served spec) through `app`'s Swagger UI middleware. Call it after the last
    `add_middleware` (connexion finds positions by that middleware's class).
    """
    stack = app.middleware.middlewares
    stack[stack.index(SwaggerUIMiddleware)] = functools.partial(
        _SwaggerUIOnItsPaths, is_docs=is_docs
    )


def drop_response_validation(app: AsyncApp) -> None:
    """Take the response-validation middleware out of `app`, whose APIs validate no response."""
    app.middleware.middlewares.remove(ResponseValidationMiddleware)


class _SwaggerUIOnItsPaths(SwaggerUIMiddleware):  # type: ignore[misc]
    def __init__(self, app: ASGIApp, *, is_docs: Callable[[str], bool]) -> None:
        super().__init__(app)
        self._is_docs = is_docs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._is_docs(scope["path"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class _DecoratedOnceApi(AsyncApi):  # type: ignore[misc]  # connexion ships no types
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return _DecoratedOnceOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class _DecoratedOnceOperation(AsyncOperation):  # type: ignore[misc]
    @functools.cached_property
    def fn(self) -> Callable[..., Any]:
        decorator = _OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        return decorator(self._fn)


class _OnceDecorator(StarletteDecorator):  # type: ignore[misc]
    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = self.framework.get_request(
                uri_parser=self.uri_parser, scope=scope, receive=receive
            )
            return await decorated(request)

        return wrapper

    def decorate(self, function: Callable[..., Any]) -> Callable[..., Any]:
        function = self._sync_async_decorator(function)
        parameters = self._parameter_decorator_cls(
            framework=self.framework, pythonic_params=self.pythonic_params
        )
        parameters.sanitize_fn = _remembered(parameters.sanitize_fn)
        function = parameters(function)
        response = self._response_decorator_cls(framework=self.framework, jsonifier=self.jsonifier)
        decorated: Callable[..., Any] = response(function)
        return decorated


def _remembered(spell: Callable[[str], str]) -> Callable[[str], str]:
    """`spell` with the spelling of names up to NAME_LIMIT characters remembered."""
    remembered = functools.lru_cache(maxsize=NAMES_KEPT)(spell)
    return lambda name: remembered(name) if len(name) <= NAME_LIMIT else spell(name)
