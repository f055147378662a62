"""The Stripe-backed API's error envelope, NestJS's default:
`{"statusCode": 404, "message": "Organization not found", "error": "Not Found"}`.
"""

from __future__ import annotations

from http import HTTPStatus

from billing_mock.server.errors import Failure

MESSAGES = {
    "NotAuthenticated": "Unauthorized",
    "AuthenticationFailed": "Unauthorized",
    "PermissionDenied": "You do not have access to this organization",
    "OrganisationNotFound": "Organization not found",
    "RouteNotFound": "Not Found",
}
"""This API's wording, by Failure.code; other failures keep their message."""


def error_body(failure: Failure) -> dict[str, object]:
    """The JSON body of an error response for `failure`."""
    message = MESSAGES.get(failure.code, failure.message.rstrip("."))
    return {
        "statusCode": failure.status,
        "message": message,
        "error": HTTPStatus(failure.status).phrase,
    }
