"""Turns every error a request can meet into a `Failure(status, message)`, and renders it
in the envelope of the API the request was for (`ErrorHandler`).

Sources: the mock's domain errors, connexion's problems (security, validation),
Starlette's HTTP exceptions (unknown route, wrong method) and anything unexpected,
which becomes a 500 without a stack trace. Each API's `errors.py` words a Failure in
its own envelope; this module is handed the APIs and knows none of them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from billing_mock.domain import errors as domain
from billing_mock.server.routing import Mount, Mounts

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal server error."
UNREADABLE_BODY = "Malformed request body: not UTF-8 encoded JSON."
METHOD_NOT_ALLOWED = "Method not allowed."

_DOMAIN_STATUS: tuple[tuple[type[domain.BillingMockError], int], ...] = (
    (domain.AuthenticationFailed, 401),
    (domain.PermissionDenied, 403),
    (domain.NotFound, 404),
    (domain.InvalidRequest, 400),
    (domain.Conflict, 409),
    (domain.UnknownCurrency, 400),
)

_STATUS_MESSAGE = {
    401: domain.NOT_AUTHENTICATED,
    403: domain.NOT_A_MEMBER,
    404: "Not found.",
    405: METHOD_NOT_ALLOWED,
    406: "Not acceptable.",
    415: "Unsupported media type.",
}


_HTTP_CODE = {404: "RouteNotFound", 405: "MethodNotAllowed", 500: "InternalError"}


@dataclass(frozen=True, slots=True)
class Failure:
    """An error response to render: HTTP status, a message for people, extra headers."""

    status: int
    message: str
    code: str = ""
    """What failed, for APIs that word it their own way: the domain error's class name
    (`OrganisationNotFound`), `NotAuthenticated`, `BadRequest`, `RouteNotFound`,
    `MethodNotAllowed` or `InternalError`."""
    headers: dict[str, str] = field(default_factory=dict)
    field: str | None = None
    """The request input at fault, when the error names one (see BillingMockError.field)."""


def failure_from(error: Exception) -> Failure:
    """The Failure for any exception raised while serving a request."""
    if isinstance(error, domain.BillingMockError):
        return Failure(
            _domain_status(error), error.message, type(error).__name__, field=error.field
        )
    if isinstance(error, ProblemException):
        return _from_problem(error)
    if isinstance(error, UnicodeDecodeError):
        # connexion decodes JSON bodies as UTF-8 before validating and lets this escape.
        return Failure(400, UNREADABLE_BODY, "BadRequest")
    if isinstance(error, HTTPException):
        message = _STATUS_MESSAGE.get(error.status_code, str(error.detail))
        code = _HTTP_CODE.get(error.status_code, "BadRequest")
        return Failure(error.status_code, message, code, dict(error.headers or {}))
    logger.error("unexpected error while serving a request", exc_info=error)
    return Failure(500, INTERNAL_ERROR, "InternalError")


def _domain_status(error: domain.BillingMockError) -> int:
    for error_type, status in _DOMAIN_STATUS:
        if isinstance(error, error_type):
            return status
    return 500


def _from_problem(problem: ProblemException) -> Failure:
    if problem.status == 401:
        # connexion's 401s all mean "no usable credentials"; unknown ones are
        # raised by the APIs' own auth functions as AuthenticationFailed.
        return Failure(401, domain.NOT_AUTHENTICATED, "NotAuthenticated")
    code = _HTTP_CODE.get(problem.status, "BadRequest")
    if problem.status in _STATUS_MESSAGE and problem.status != 404:
        return Failure(problem.status, _STATUS_MESSAGE[problem.status], code)
    detail = str(problem.detail or problem.title or "Bad request")
    # jsonschema details run on with the whole schema; the first line says it all.
    first_line = detail.strip().splitlines()[0].rstrip(".")
    return Failure(problem.status, f"{first_line}.", code)


class ErrorHandler:
    """connexion's error handler for every exception: the Failure in the envelope of the
    API whose base path the request is under (`{status_code, message}` outside them all).

    A 400 or 405 under an API becomes what the contract declares: 405 with an `Allow`
    of every method of the path (Starlette lists only the first route's), and 405, not
    400, for an undeclared method on a literal path that a templated one swallowed
    (`PATCH /subscription/me` fails `PATCH /subscription/{id}`'s id pattern).
    """

    def __init__(self, mounts: Mounts[Mount]) -> None:
        self._mounts = mounts

    def __call__(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        """The error response for `error`, raised while serving `request`."""
        failure = failure_from(error)
        api = self._mounts.for_path(request.url.path)
        if api and failure.status in (400, 405):
            failure = method_failure(api, request.url.path, request.method, failure)
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


def method_failure(api: Mount, path: str, method: str, failure: Failure) -> Failure:
    """`failure` (a 400 or 405 for `method` on `path`, under `api`) as the contract has
    it: 405 with every declared method, and HEAD wherever GET is, in `Allow`.
    """
    relative = path.removeprefix(api.base_path)
    literal = api.contract.literal_methods(relative)
    if failure.status == 400 and (literal is None or method.lower() in literal):
        return failure
    methods = api.contract.methods_at(relative)
    if methods is None:
        return failure
    allow = {name.upper() for name in methods} | ({"HEAD"} if "get" in methods else set())
    headers = {**failure.headers, "Allow": ", ".join(sorted(allow))}
    return Failure(405, METHOD_NOT_ALLOWED, "MethodNotAllowed", headers)
