"""Stripe-backed organization billing details (seed 002): invoices and payment methods."""

from billing_mock.apis.base import ApiModule
from billing_mock.apis.stripe import errors, handlers

API = ApiModule(
    name="stripe",
    title="Stripe-backed billing details",
    spec="stripe-billing-details.yaml",
    base_path="/v1",
    handlers=handlers,
    error_body=errors.error_body,
    probe="/organizations/00000000-0000-4000-8000-000000000000/stripe/billing-details",
)
