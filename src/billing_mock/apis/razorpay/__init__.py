"""Razorpay-backed subscription billing (seed 003): the subscription lifecycle, /api/billing."""

from billing_mock.apis.base import ApiModule
from billing_mock.apis.razorpay import errors, handlers

API = ApiModule(
    name="razorpay",
    title="Razorpay-backed subscription billing",
    spec="razorpay-billing.yaml",
    base_path="/api/billing",
    handlers=handlers,
    error_body=errors.error_body,
)
