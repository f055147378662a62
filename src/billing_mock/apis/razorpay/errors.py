"""Razorpay's error envelope, which this product passes through (seed 003):
`{"error": {"code": "BAD_REQUEST_ERROR", "description": "...", "reason": "...", "field": null}}`.
"""

from __future__ import annotations

from billing_mock.apis.common.naming import snake_case
from billing_mock.server.errors import Failure

REASONS = {
    "NotAuthenticated": "authentication_required",
    "AuthenticationFailed": "authentication_failed",
    "PermissionDenied": "forbidden",
    "RoleRequired": "insufficient_role",
    "BadRequest": "input_validation_failed",
    "RouteNotFound": "not_found",
    "MethodNotAllowed": "method_not_allowed",
    "InternalError": "server_error",
    "ServiceUnavailable": "server_error",
    "BadGateway": "server_error",
    "GatewayTimeout": "server_error",
}
"""`reason` by Failure.code; any other code (a domain error) is its class name in snake_case."""

MESSAGES = {
    "NotAuthenticated": "Authentication required: send an X-API-Key header or a session cookie",
    "AuthenticationFailed": "Authentication failed: unknown API key or session",
}
"""This API's wording, by Failure.code; other failures keep their message."""

FIELDS = {
    "PlanNotFound": "planId",
    "CouponNotFound": "couponCode",
    "CouponExpired": "couponCode",
    "CouponNotApplicable": "couponCode",
    "InvalidSignature": "signature",
    "OrderNotFound": "orderId",
    "PaymentAlreadyCaptured": "paymentId",
    "InvalidDateRange": "from",
    "SubscriptionNotFound": "id",
    "InvoiceNotFound": "id",
}
"""The request field at fault, by Failure.code, so a form can mark it (unless the
failure names its own)."""


def error_body(failure: Failure) -> dict[str, object]:
    """The JSON body of an error response for `failure`."""
    reason = REASONS.get(failure.code) or snake_case(failure.code)
    return {
        "error": {
            "code": "SERVER_ERROR" if failure.status >= 500 else "BAD_REQUEST_ERROR",
            "description": MESSAGES.get(failure.code, failure.message.rstrip(".")),
            "reason": reason,
            "field": failure.field or FIELDS.get(failure.code),
        }
    }
