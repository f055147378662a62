"""Stripe-backed organization billing details (seed 002): invoices and payment methods."""

from billing_mock.apis.base import VENDOR, ApiModule
from billing_mock.apis.stripe import errors, handlers

API = ApiModule(
    name="stripe",
    title="Stripe-backed billing details",
    contract_file="stripe-billing-details.yaml",
    base_path="/v1",
    handlers=handlers,
    error_body=errors.error_body,
    capabilities=VENDOR,
    probe="/organizations/00000000-0000-4000-8000-000000000000/stripe/billing-details",
)
