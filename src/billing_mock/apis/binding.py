"""Binds each operationId to its handler: `getBillingData` -> `handlers.get_billing_data(store,
...)`, with the Store that serves the request as the first argument (or the server's Stores,
for a handler marked `takes_stores`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import connexion
from connexion.resolver import Resolver
from connexion.utils import get_function_from_name

from billing_mock.apis.common.naming import snake_case
from billing_mock.contract.documents import Contract
from billing_mock.server.request_state import store_of, stores_of

F = TypeVar("F", bound=Callable[..., Any])

_TAKES_STORES = "_billing_mock_takes_stores"


def takes_stores(handler: F) -> F:
    """Marks `handler` as taking the server's Stores (every sandbox) as its first
    argument instead of the request's Store: for what acts on the sandboxes themselves
    (the control API's sandbox operations and reset).
    """
    setattr(handler, _TAKES_STORES, True)
    return handler


def resolver(handlers: ModuleType) -> Resolver:
    """Connexion's Resolver for `handlers`: operationId `getBillingData` is
    `handlers.get_billing_data(store, ...)`, the Store being the request's (the default
    one, a sandbox, another seed's, or a scenario's view: `server.request_state.store_of`), or
    `(stores, ...)` for a handler marked `takes_stores`.

    The world is chosen when the handler is called, after connexion's security and
    validation: a request refused before then makes no sandbox.
    """

    def resolve(operation_id: str) -> Any:
        function = signed(getattr(handlers, snake_case(operation_id)))
        world: Callable[[Any], Any] = (
            stores_of if getattr(function, _TAKES_STORES, False) else store_of
        )

        # Async, so connexion calls it on the event loop: handlers never wait on I/O, and
        # the hop to a worker thread cost more than most handlers take.
        async def bound(*args: Any, **kwargs: Any) -> Any:
            return function(world(connexion.request), *args, **kwargs)

        return functools.update_wrapper(bound, function)

    return Resolver(function_resolver=resolve)


def signed(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with its signature computed once: connexion inspects the handler's and
    the auth function's signatures on every request, and `inspect.signature` returns a
    `__signature__` as it is (that inspection was a twelfth of the request time).
    """
    function.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return function


def sign_security_functions(contract: Contract) -> None:
    """`signed` for the functions the contract's security schemes name (`x-apikeyInfoFunc`)."""
    for name in contract.security_functions():
        signed(get_function_from_name(name))
