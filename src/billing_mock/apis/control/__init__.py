"""The mock's own control API under `/__mock`: reset state, inspect it, list scenarios.

It takes its own credential (`X-Mock-Control-Token`), so no vendor API's key or token can
reset the mock's state.
"""

from billing_mock.apis.base import ApiModule
from billing_mock.apis.control import errors, handlers

API = ApiModule(
    name="control",
    title="Mock control",
    contract_file="control.yaml",
    base_path="/__mock",
    handlers=handlers,
    error_body=errors.error_body,
    capabilities=frozenset(),
    probe="/scenarios",
)
