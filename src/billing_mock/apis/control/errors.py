"""The control API's error envelope: `{"error": {"status": 404, "message": "..."}}`."""

from __future__ import annotations

from billing_mock.server.errors import Failure

TOKEN_REQUIRED = "Control token required: send the X-Mock-Control-Token header"
TOKEN_INVALID = "Invalid control token"
LOOPBACK_ONLY = "No control token is configured, so the control API answers loopback callers only"
UNKNOWN_HOST = (
    "No control token is configured, so the control API answers only requests addressed "
    "to a loopback host name (localhost, 127.0.0.1, [::1]) or a --control-host"
)
ORGANISATION_NOT_FOUND = "Organisation not found"
SANDBOX_NOT_FOUND = "Sandbox not found"
NOT_FOUND = "Not found"

MESSAGES = {
    "NotAuthenticated": TOKEN_REQUIRED,
    "AuthenticationFailed": TOKEN_INVALID,
    "PermissionDenied": LOOPBACK_ONLY,
    "UnknownHost": UNKNOWN_HOST,
    "OrganisationNotFound": ORGANISATION_NOT_FOUND,
    "RouteNotFound": NOT_FOUND,
}
"""This API's wording, by Failure.code; other failures keep their message."""


def error_body(failure: Failure) -> dict[str, object]:
    """The JSON body of an error response for `failure`."""
    message = MESSAGES.get(failure.code, failure.message.rstrip("."))
    return {"error": {"status": failure.status, "message": message}}
