"""Turns every error a request can meet into a `Failure(status, message)`.

Sources: the mock's domain errors, connexion's problems (security, validation),
Starlette's HTTP exceptions (unknown route, wrong method) and anything unexpected,
which becomes a 500 without a stack trace. Each API's `errors.py` words a Failure in
its own envelope; `error_handler.py` renders it; this module knows no API.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from http import HTTPStatus

from connexion.exceptions import ProblemException
from starlette.exceptions import HTTPException

from billing_mock.domain import errors as domain
from billing_mock.domain.persistence import BackendError

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal server error."
STATE_UNAVAILABLE = "The mock's state store is unavailable just now; try again shortly."
STATE_RETRY_AFTER = "1"
"""Seconds a client should wait before retrying a request the state store failed."""
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


_HTTP_CODE = {
    404: "RouteNotFound",
    408: "RequestTimeout",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}

MAX_MESSAGE = 300
"""Characters of a message shown to a caller: messages echo input (a coupon code, a
header, a schema's view of a value), and input must not come back a megabyte long."""


@dataclass(frozen=True, slots=True)
class Failure:
    """An error response to render: HTTP status, a message for people, extra headers."""

    status: int
    message: str
    code: str = ""
    """What failed, for APIs that word it their own way: the domain error's class name
    (`OrganisationNotFound`), `NotAuthenticated`, `BadRequest`, `RouteNotFound`,
    `MethodNotAllowed`, `PayloadTooLarge`, `UnsupportedMediaType` or `InternalError`."""
    headers: dict[str, str] = field(default_factory=dict)
    field: str | None = None
    """The request input at fault, when the error names one (see BillingMockError.field)."""


def failure_from(error: Exception) -> Failure:
    """The Failure for any exception raised while serving a request."""
    if isinstance(error, domain.BillingMockError):
        return Failure(
            _domain_status(error), bounded(error.message), type(error).__name__, field=error.field
        )
    if isinstance(error, ProblemException):
        return _from_problem(error)
    if isinstance(error, BackendError):
        # SQLite or Redis failed under a running server: one line for the operator, and
        # a retryable 503 for the client (its request changed nothing).
        logger.error("state store failed: %s", error)
        return Failure(
            503, STATE_UNAVAILABLE, "ServiceUnavailable", {"Retry-After": STATE_RETRY_AFTER}
        )
    if isinstance(error, UnicodeDecodeError):
        # connexion decodes JSON bodies as UTF-8 before validating and lets this escape.
        return Failure(400, UNREADABLE_BODY, "BadRequest")
    if isinstance(error, HTTPException):
        # Starlette's own (routing) carry only the status phrase: word those ourselves.
        detail = str(error.detail)
        if detail == HTTPStatus(error.status_code).phrase:
            detail = _STATUS_MESSAGE.get(error.status_code, detail)
        code = _HTTP_CODE.get(error.status_code, "BadRequest")
        return Failure(error.status_code, bounded(detail), code, dict(error.headers or {}))
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
    return Failure(problem.status, bounded(f"{first_line}."), code, field=field_named(first_line))


_FIELD_PATTERNS = (
    re.compile(r"^Invalid (?:path|query|header|cookie|form) parameter ([^:\s]+):"),
    re.compile(r" - '([^']+)'$"),
    re.compile(r"^'([^']+)' is a required property$"),
    re.compile(r"^Additional properties are not allowed \('([^']+)' was unexpected\)$"),
)
"""Where connexion's validation messages name the input at fault: a parameter, a body
property's path (jsonschema's `- 'a.b'`), a missing or an unexpected property."""


def field_named(message: str) -> str | None:
    """The request input a validation `message` names (`billingCycle`, `id`), or None."""
    for pattern in _FIELD_PATTERNS:
        found = pattern.search(message)
        if found:
            return found.group(1)
    return None


def bounded(message: str) -> str:
    """`message`, cut to MAX_MESSAGE characters (ending in an ellipsis when cut)."""
    return cut(message, MAX_MESSAGE)


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit - 1` characters and `…`: never over `limit` characters.
    What echoes input (messages, log lines) goes through it.
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
