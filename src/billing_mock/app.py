"""create_app(store): one connexion AsyncApp serving every API in `apis.registry`."""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import json
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import connexion
from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.utils import get_function_from_name
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from billing_mock import contracts, publishing
from billing_mock.apis.base import ApiModule
from billing_mock.apis.registry import APIS, api_for_path
from billing_mock.build import stores_by_seed
from billing_mock.contracts import OPENAPI_DIR
from billing_mock.domain.store import Store
from billing_mock.http_errors import METHOD_NOT_ALLOWED, Failure, failure_from
from billing_mock.naming import snake_case
from billing_mock.request_state import Settings, StoreMiddleware, store_of
from billing_mock.response_cache import ResponseCache
from billing_mock.steering import Prefer, RequestLog, Steering
from billing_mock.validation import VALIDATORS


def create_app(
    store: Store,
    *,
    validate_responses: bool = False,
    control_token: str | None = None,
    settings: Settings | None = None,
) -> AsyncApp:
    """An ASGI app serving every registered API from `store`.

    Each API is mounted at its own base path with its Swagger UI at `<base>/ui/`; the
    raw contracts are at `/openapi/<spec file>` (YAML) and `.json`, and `/` lists it
    all. `validate_responses` makes connexion check every response body against the
    contract (slower; on in the test suite). `settings` are the server's (CORS, faults,
    log, control token; `control_token` is a shortcut for the last). Every error,
    whatever raised it, is rendered in the envelope of the API the request was for.
    A repeated GET against unchanged state is answered by `ResponseCache`.
    """
    settings = settings or Settings(control_token=control_token)
    if settings.stores is None:
        settings = dataclasses.replace(settings, stores=stores_by_seed(store))
    app = AsyncApp(__name__, specification_dir=OPENAPI_DIR, validator_map=VALIDATORS)
    for api in APIS:
        _sign_auth_functions(api.spec)
        app.add_api(
            # The parsed contract, not its path: connexion would parse the YAML again in pure
            # Python (half a second); a copy, because connexion fills in defaults in place.
            copy.deepcopy(contracts.document(api.spec)),
            name=api.name,
            base_path=api.base_path,
            resolver=_bind(api.handlers),
            validate_responses=validate_responses,
            # Handlers take snake_case names: `orgId` -> org_id, `from` -> from_, `id` -> id_.
            pythonic_params=True,
            swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui"),
        )
    # Outermost first: the log sees every answer, CORS headers reach error responses too.
    outer = MiddlewarePosition.BEFORE_EXCEPTION
    app.add_middleware(RequestLog, position=outer, log_format=settings.log_format)
    app.add_middleware(CORSMiddleware, position=outer, **_cors(settings.cors_origins))
    app.add_middleware(StoreMiddleware, position=outer, store=store, settings=settings)
    app.add_middleware(ResponseCache, position=outer)
    app.add_middleware(Steering, position=MiddlewarePosition.BEFORE_SWAGGER, seed=store.seed)
    specs = {api.base_path: api.spec for api in APIS}
    app.add_middleware(Prefer, position=MiddlewarePosition.BEFORE_CONTEXT, specs=specs)
    # Registered one by one: Starlette picks a handler by the exception's own class.
    for error_type in (ProblemException, HTTPException, Exception):
        app.add_error_handler(error_type, render_error)
    publishing.add_routes(app)
    return app


def render_error(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    """Any exception as an error response in the envelope of the API the path belongs to.

    Paths outside every API (a typo at the root) get `{status_code, message}`.
    """
    failure = failure_from(error)
    api = api_for_path(request.url.path)
    if api and failure.status in (400, 405):
        failure = _method_failure(api, request, failure)
    body: dict[str, Any] = (
        api.error_body(failure)
        if api
        else {"status_code": failure.status, "message": failure.message}
    )
    return ConnexionResponse(
        status_code=failure.status,
        mimetype="application/json",
        content_type="application/json",
        body=json.dumps(body),
        headers=failure.headers,
    )


def _method_failure(api: ApiModule, request: ConnexionRequest, failure: Failure) -> Failure:
    """Method errors as the contract declares them: 405 with an `Allow` listing every
    method of the path (Starlette lists only the first route's), and 405, not 400, for
    an undeclared method on a literal path that a templated one swallowed
    (`PATCH /subscription/me` fails `PATCH /subscription/{id}`'s id pattern).
    """
    path = request.url.path.removeprefix(api.base_path)
    literal = _paths(api.spec)[0].get(path)
    if failure.status == 400 and (literal is None or request.method.lower() in literal):
        return failure
    methods = literal or next(
        (found for pattern, found in _paths(api.spec)[1] if pattern.fullmatch(path)), None
    )
    if methods is None:
        return failure
    allow = {method.upper() for method in methods} | ({"HEAD"} if "get" in methods else set())
    headers = {**failure.headers, "Allow": ", ".join(sorted(allow))}
    return Failure(405, METHOD_NOT_ALLOWED, "MethodNotAllowed", headers)


@functools.cache
def _paths(
    spec: str,
) -> tuple[dict[str, frozenset[str]], list[tuple[re.Pattern[str], frozenset[str]]]]:
    """The contract's paths with the methods each declares: literal ones by path, and
    templated ones as patterns (`/subscription/{id}` matches `/subscription/<segment>`).
    """
    literal, templated = {}, []
    for path, item in contracts.document(spec)["paths"].items():
        methods = frozenset(key for key in item if key in HTTP_METHODS)
        if "{" in path:
            templated.append(
                (re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))), methods)
            )
        else:
            literal[path] = methods
    return literal, templated


HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _bind(handlers: ModuleType) -> Resolver:
    """Resolve operationId `getBillingData` to `handlers.get_billing_data(store, ...)`,
    with the Store serving the request (the app's, or another seed's: X-Mock-Seed).
    """

    def resolve(operation_id: str) -> Any:
        function = _signed(getattr(handlers, snake_case(operation_id)))

        # Async, so connexion calls it on the event loop: handlers never wait on I/O, and
        # the hop to a worker thread cost more than most handlers take.
        async def bound(*args: Any, **kwargs: Any) -> Any:
            return function(store_of(connexion.request), *args, **kwargs)

        return functools.update_wrapper(bound, function)

    return Resolver(function_resolver=resolve)


def _signed(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with its signature computed once: connexion inspects the handler's and
    the auth function's signatures on every request, and `inspect.signature` returns a
    `__signature__` as it is (that inspection was a twelfth of the request time).
    """
    function.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return function


def _sign_auth_functions(spec: str) -> None:
    """`_signed` for the contract's auth functions (`x-apikeyInfoFunc`, ...)."""
    for scheme in (
        contracts.document(spec).get("components", {}).get("securitySchemes", {}).values()
    ):
        for key, name in scheme.items():
            if key.endswith("InfoFunc"):
                _signed(get_function_from_name(name))


def _cors(origins: tuple[str, ...]) -> dict[str, Any]:
    """CORSMiddleware options: the given origins, or any localhost port; cookies allowed
    (the Razorpay-backed API's session); the download headers exposed to scripts.
    """
    return {
        "allow_origins": list(origins),
        "allow_origin_regex": None if origins else r"https?://(localhost|127\.0\.0\.1)(:\d+)?",
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
        "expose_headers": ["Content-Disposition", "Cache-Control"],
    }
