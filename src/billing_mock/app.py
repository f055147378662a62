"""create_app(stores, settings): one connexion AsyncApp serving every API, and the order of
its middleware.
"""

from __future__ import annotations

from typing import Any

from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.middleware import MiddlewarePosition
from starlette.exceptions import HTTPException

from billing_mock.apis.base import ApiModule
from billing_mock.apis.binding import resolver, sign_security_functions
from billing_mock.apis.razorpay import standin
from billing_mock.apis.registry import APIS
from billing_mock.contract.validation import VALIDATORS
from billing_mock.data.stores import Stores
from billing_mock.server import connexion_internals, publishing, swagger_steering
from billing_mock.server.bodies import RequestBodies
from billing_mock.server.cors import ApiCors
from billing_mock.server.error_handler import ErrorHandler
from billing_mock.server.journal import SPECS, Journal, RequestJournal
from billing_mock.server.masking import known_secrets
from billing_mock.server.prefer import Prefer
from billing_mock.server.request_log import RequestLog
from billing_mock.server.request_state import StoreMiddleware
from billing_mock.server.response_cache import ResponseCache
from billing_mock.server.routing import Mounts, docs_paths
from billing_mock.server.steering import Steering
from billing_mock.settings import Settings

SWAGGER_UI = "/ui"
"""Where each API's Swagger UI is, under its base path (not recorded in the journal)."""


def create_app(
    stores: Stores,
    settings: Settings | None = None,
    *,
    apis: Mounts[ApiModule] = APIS,
    validate_responses: bool = False,
) -> AsyncApp:
    """An ASGI app serving `apis` (default: every registered API) from `stores`.

    Each API is mounted at its own base path with its Swagger UI at `<base>/ui/`; the
    raw contracts are at `/openapi/<contract file>` (YAML) and `.json`, and `/` lists it
    all. `stores.default` serves requests; `X-Mock-Seed` picks another seed's Store from
    `stores` (built from the same fixtures). `settings` are the server's flags (control
    token and hosts, CORS, latency and faults, log, body limit, hosted-link secret,
    journal size).
    `validate_responses` makes connexion check every response body against the contract
    (slower; on in the test suite). Every error, whatever raised it, is rendered in the
    envelope of the API the request was for.
    """
    settings = settings or Settings()
    app = AsyncApp(__name__, validator_map=VALIDATORS)
    connexion_internals.decorate_once(app)
    for api in apis:
        sign_security_functions(api.contract)
        app.add_api(
            # The parsed contract, not its path: connexion would parse the YAML again in pure
            # Python (half a second); a copy, because connexion fills in defaults in place.
            api.contract.copy(),
            name=api.name,
            base_path=api.base_path,
            resolver=resolver(api.handlers),
            validate_responses=validate_responses,
            # Handlers take snake_case names: `orgId` -> org_id, `from` -> from_, `id` -> id_.
            pythonic_params=True,
            swagger_ui_options=swagger_steering.swagger_ui_options(api, SWAGGER_UI),
        )
    # Outermost first: the log sees every answer, CORS headers reach error responses too.
    outer = MiddlewarePosition.BEFORE_EXCEPTION
    app.add_middleware(RequestLog, position=outer, log_format=settings.log_format)
    app.add_middleware(ApiCors, position=outer, mounts=apis, **_cors(settings.cors_origins))
    app.add_middleware(StoreMiddleware, position=outer, stores=stores, settings=settings)
    # Inside the Stores (it names sandboxes as they do), outside the cache (hits count).
    app.add_middleware(
        RequestJournal,
        position=outer,
        journal=Journal(settings.journal_size, known_secrets(stores.fixtures, settings)),
        mounts=apis,
        docs=(SWAGGER_UI, *SPECS),
    )
    app.add_middleware(ResponseCache, position=outer, mounts=apis)
    app.add_middleware(
        Steering, position=MiddlewarePosition.BEFORE_SWAGGER, mounts=apis, seed=stores.default.seed
    )
    app.add_middleware(
        RequestBodies,
        position=MiddlewarePosition.BEFORE_SWAGGER,
        max_body=settings.max_body,
        body_timeout=settings.body_timeout,
    )
    app.add_middleware(Prefer, position=MiddlewarePosition.BEFORE_CONTEXT, mounts=apis)
    connexion_internals.swagger_ui_only_on(app, docs_paths(apis, (SWAGGER_UI, *SPECS)))
    if not validate_responses:
        connexion_internals.drop_response_validation(app)
    # Registered one by one: Starlette picks a handler by the exception's own class.
    render_error = ErrorHandler(apis).render
    for error_type in (ProblemException, HTTPException, Exception):
        app.add_error_handler(error_type, render_error)
    publishing.add_routes(app, apis)
    # Razorpay Checkout's stand-in script and its Pay call, under no API (docs/checkout.md).
    standin.add_routes(app)
    swagger_steering.add_routes(app)
    return app


def _cors(origins: tuple[str, ...]) -> dict[str, Any]:
    """CORS options: the given origins, or any localhost port; cookies allowed
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
