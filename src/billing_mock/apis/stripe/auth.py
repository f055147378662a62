"""`Authorization: Bearer <token>` for the Stripe-backed API."""

from billing_mock.apis.common.bearer import bearer_token_info as authenticate

__all__ = ["authenticate"]
