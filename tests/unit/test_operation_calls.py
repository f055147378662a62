"""`server/operation_calls.py`, the one patch of connexion's internals: it still applies, it
still is needed, and every operation the app serves goes through it.

When connexion stops building decorators per request, the second test fails: drop the
patch then (and this file).
"""

from __future__ import annotations

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.server import operation_calls


async def _handler() -> dict[str, str]:
    return {}


def _operation(cls: type[AsyncOperation]) -> AsyncOperation:
    return cls(_handler, jsonifier=None, operation_id="handler", pythonic_params=True)


def test_connexion_still_makes_its_apis_from_the_class_the_patch_replaces() -> None:
    app = AsyncApp(__name__)
    assert app._middleware_app.api_cls is AsyncApi
    operation_calls.decorate_once(app)
    assert app._middleware_app.api_cls is operation_calls._DecoratedOnceApi
    assert issubclass(operation_calls._DecoratedOnceApi, AsyncApi)


def test_connexion_still_decorates_per_request_and_the_patch_once() -> None:
    plain = _operation(AsyncOperation)
    assert plain.fn is not plain.fn, "connexion now builds fn once: drop operation_calls"
    once = _operation(operation_calls._DecoratedOnceOperation)
    assert once.fn is once.fn


def test_every_operation_served_is_decorated_once() -> None:
    app = create_app(load_stores(42))
    with TestClient(app) as client:  # connexion adds the APIs when it starts
        assert client.get("/").status_code == 200
    apis = [api for mounted in app._middleware_app.apis.values() for api in mounted]
    served = [op for api in apis for op in api.operations.values()]
    assert len(apis) == 5
    assert len(served) > 20
    assert all(isinstance(op, operation_calls._DecoratedOnceOperation) for op in served)
