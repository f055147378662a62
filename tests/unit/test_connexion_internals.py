"""`server/connexion_internals.py`, the patches of connexion's internals: each still applies,
each is still needed, and the app the mock serves has them.

When one of these tests fails after a connexion upgrade, connexion changed there: drop the
patch if connexion no longer needs it, or adapt it.
"""

from __future__ import annotations

import functools

from connexion import AsyncApp
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.middleware import MiddlewarePosition
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.testclient import TestClient

from billing_mock.apis.registry import APIS
from billing_mock.app import SWAGGER_UI, create_app
from billing_mock.data.stores import load_stores
from billing_mock.server import connexion_internals
from billing_mock.server.journal import SPECS
from billing_mock.server.routing import docs_paths


async def _handler() -> dict[str, str]:
    return {}


def _operation(cls: type[AsyncOperation]) -> AsyncOperation:
    return cls(_handler, jsonifier=None, operation_id="handler", pythonic_params=True)


def test_connexion_still_makes_its_apis_from_the_class_the_patch_replaces() -> None:
    app = AsyncApp(__name__)
    assert app._middleware_app.api_cls is AsyncApi
    connexion_internals.decorate_once(app)
    assert app._middleware_app.api_cls is connexion_internals._DecoratedOnceApi
    assert issubclass(connexion_internals._DecoratedOnceApi, AsyncApi)


def test_connexion_still_decorates_per_request_and_the_patch_once() -> None:
    plain = _operation(AsyncOperation)
    assert plain.fn is not plain.fn, "connexion now builds fn once: drop decorate_once"
    once = _operation(connexion_internals._DecoratedOnceOperation)
    assert once.fn is once.fn


def test_every_operation_served_is_decorated_once() -> None:
    app = create_app(load_stores(42))
    with TestClient(app) as client:  # connexion adds the APIs when it starts
        assert client.get("/").status_code == 200
    apis = [api for mounted in app._middleware_app.apis.values() for api in mounted]
    served = [op for api in apis for op in api.operations.values()]
    assert len(apis) == len(APIS)
    assert len(served) > 20
    assert all(isinstance(op, connexion_internals._DecoratedOnceOperation) for op in served)


def test_connexion_still_keeps_both_middlewares_the_patches_replace_or_drop() -> None:
    defaults = ConnexionMiddleware.default_middlewares
    assert SwaggerUIMiddleware in defaults
    assert ResponseValidationMiddleware in defaults
    assert MiddlewarePosition.BEFORE_SWAGGER.value is SwaggerUIMiddleware
    assert AsyncApp(__name__).middleware.middlewares == defaults


def test_the_app_routes_only_docs_through_swagger_ui_and_validates_responses_when_asked() -> None:
    served = create_app(load_stores(42)).middleware.middlewares
    assert ResponseValidationMiddleware not in served
    assert SwaggerUIMiddleware not in served
    trimmed = [m for m in served if isinstance(m, functools.partial)]
    assert connexion_internals._SwaggerUIOnItsPaths in [m.func for m in trimmed]
    validating = create_app(load_stores(42), validate_responses=True).middleware.middlewares
    assert ResponseValidationMiddleware in validating


def test_the_docs_paths_are_swagger_uis_pages_and_specs_only() -> None:
    is_docs = docs_paths(APIS, (SWAGGER_UI, *SPECS))
    for path in ("/api/billing/ui/", "/api/billing/ui", "/v1/ui/swagger-ui.css"):
        assert is_docs(path), path
    for path in ("/api/billing/openapi.json", "/api/v2/platform/openapi.yaml"):
        assert is_docs(path), path
    for path in ("/api/billing/subscription/me", "/openapi/unpod-billing.yaml", "/", "/ui/"):
        assert not is_docs(path), path
