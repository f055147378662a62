"""Cognita's ErrorResponse envelope: `{"status": "error", "message": "..."}` (seed 004)."""

from __future__ import annotations

from billing_mock.server.errors import Failure

MESSAGES = {
    "NotAuthenticated": "Unauthorized",
    "AuthenticationFailed": "Invalid or expired token",
    "PermissionDenied": "You do not have access to this organization",
    "OrganisationNotFound": "Organization not found",
    "RouteNotFound": "Not found",
}
"""This API's wording, by Failure.code; other failures keep their message."""


def error_body(failure: Failure) -> dict[str, object]:
    """The JSON body of an error response for `failure`."""
    return {"status": "error", "message": MESSAGES.get(failure.code, failure.message.rstrip("."))}
