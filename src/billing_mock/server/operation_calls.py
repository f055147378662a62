"""How connexion calls an operation's handler: its decorators built once per operation.

connexion 3.3 builds the whole decorator chain around a handler (parameter binding,
response building, the sync/async adapter) on every request, twice over: `AsyncOperation.fn`
makes a new `StarletteDecorator` per call, whose wrapper decorates the handler again, and
each parameter name is snake-cased again by `inflection`'s regular expressions. Nothing in
that chain depends on the request (the request is read from connexion's context when the
decorated handler runs), so building it once changes no answer; it was about a fifth of
the full pipeline's time (issue 20).

This is the one place the mock reaches into connexion's internals: the class of the APIs
its ASGI app makes (`AsyncASGIApp.api_cls`). `tests/unit/test_operation_calls.py` fails
when connexion's behaviour here changes, so the patch can go once connexion fixes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.operations import AbstractOperation

NAMES_KEPT = 512
"""Parameter names whose Python spelling is remembered: every name the contracts declare
many times over. Query names a client makes up pass through too, so it stays bounded."""


def decorate_once(app: AsyncApp) -> None:
    """Make `app` (before any `add_api`) build each operation's decorators once."""
    app._middleware_app.api_cls = _DecoratedOnceApi


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
        parameters.sanitize_fn = functools.lru_cache(maxsize=NAMES_KEPT)(parameters.sanitize_fn)
        function = parameters(function)
        response = self._response_decorator_cls(framework=self.framework, jsonifier=self.jsonifier)
        decorated: Callable[..., Any] = response(function)
        return decorated
