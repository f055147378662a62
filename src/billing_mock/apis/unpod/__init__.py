"""Unpod platform billing (seeds 000 and 001): the paginated invoice list."""

from billing_mock.apis.base import VENDOR, ApiModule
from billing_mock.apis.unpod import errors, handlers

API = ApiModule(
    name="unpod",
    title="Unpod platform billing",
    contract_file="unpod-billing.yaml",
    base_path="/api/v2/platform",
    handlers=handlers,
    error_body=errors.error_body,
    capabilities=VENDOR,
    probe="/organisation/billing/",
)
