"""Binds each operationId to its handler: `getBillingData` -> `handlers.get_billing_data(store,
...)`, with the Store that serves the request as the first argument.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import connexion
from connexion.resolver import Resolver
from connexion.utils import get_function_from_name

from billing_mock.apis.common.naming import snake_case
from billing_mock.contract.documents import Contract
from billing_mock.server.request_state import store_of


def resolver(handlers: ModuleType) -> Resolver:
    """Connexion's Resolver for `handlers`: operationId `getBillingData` is
    `handlers.get_billing_data(store, ...)`, the Store being the request's (the default
    one, another seed's, or a scenario's view: `server.request_state.store_of`).
    """

    def resolve(operation_id: str) -> Any:
        function = signed(getattr(handlers, snake_case(operation_id)))

        # Async, so connexion calls it on the event loop: handlers never wait on I/O, and
        # the hop to a worker thread cost more than most handlers take.
        async def bound(*args: Any, **kwargs: Any) -> Any:
            return function(store_of(connexion.request), *args, **kwargs)

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
