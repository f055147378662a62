"""Razorpay-backed subscription billing (seed 003): the subscription lifecycle, /api/billing."""

from billing_mock.apis.base import VENDOR, ApiModule
from billing_mock.apis.razorpay import errors, handlers

CONTRACT_CONFIG = """
# A request the schema allows may still break a business rule the contract documents
# as 400: an unknown or expired coupon (createCheckout), a signature not made with the
# gateway's secret (confirmCheckout), `from` after `to` (exportPayments).
[[operations]]
include-operation-id = "createCheckout"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
include-operation-id = "confirmCheckout"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
include-operation-id = "exportPayments"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403"]
"""

API = ApiModule(
    name="razorpay",
    title="Razorpay-backed subscription billing",
    contract_file="razorpay-billing.yaml",
    base_path="/api/billing",
    handlers=handlers,
    error_body=errors.error_body,
    capabilities=VENDOR,
    probe="/subscription/me",
    contract_config=CONTRACT_CONFIG,
)
