"""Razorpay-backed subscription billing (seed 003): the subscription lifecycle, /api/billing.

Its business rules for Schemathesis (a coupon that must exist, a signature, `from <= to`)
are in `openapi/schemathesis.toml`, under this contract's title.
"""

from billing_mock.apis.base import VENDOR, ApiModule
from billing_mock.apis.razorpay import errors, handlers

API = ApiModule(
    name="razorpay",
    title="Razorpay-backed subscription billing",
    contract_file="razorpay-billing.yaml",
    base_path="/api/billing",
    handlers=handlers,
    error_body=errors.error_body,
    capabilities=VENDOR,
    probe="/subscription/me",
)
