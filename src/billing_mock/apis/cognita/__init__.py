"""Cognita organization billing (seed 004): billing details and Update Plan."""

from billing_mock.apis.base import VENDOR, ApiModule
from billing_mock.apis.cognita import errors, handlers

API = ApiModule(
    name="cognita",
    title="Cognita organization billing",
    contract_file="cognita-billing.yaml",
    base_path="/api",
    handlers=handlers,
    error_body=errors.error_body,
    capabilities=VENDOR,
    probe="/orgs/00000000-0000-4000-8000-000000000000/billing",
)
