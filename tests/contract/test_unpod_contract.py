"""Schemathesis property tests: the mock matches openapi/unpod-billing.yaml.

The contract is loaded from the raw YAML the app serves (`/openapi/unpod-billing.json`),
and every generated request, valid and invalid, goes through the app in-process with
response validation on. Every default check applies: no server error, documented
status codes, content types, headers and bodies; invalid input rejected with 4xx;
missing auth rejected.
"""

from __future__ import annotations

import schemathesis
from schemathesis import GenerationMode

from billing_mock.app import create_app
from billing_mock.build import build_store
from tests.conftest import fixture_users

OPS = fixture_users()["ops@unpod.dev"]  # member of every fixture organisation
MEMBER_ORGANISATIONS = ("recalll.co", "northwind.io", "tinylabs.dev")

schema = schemathesis.openapi.from_asgi(
    "/openapi/unpod-billing.json", create_app(build_store(42), validate_responses=True)
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=60
)


@schema.parametrize()
def test_any_input_with_valid_credentials(case: schemathesis.Case) -> None:
    """Generated Org-Handle values are mostly unknown: this covers the 4xx paths."""
    case.call_and_validate(headers={"Authorization": f"jwt {OPS['jwt']}"})


@schema.parametrize()
def test_any_paging_of_a_real_organisation(case: schemathesis.Case) -> None:
    """The same, with the organisation pinned to one the caller belongs to: the 200 path."""
    if case.headers and "Org-Handle" in case.headers:
        number = sum(map(ord, str(case.query))) if case.query else 0
        case.headers["Org-Handle"] = MEMBER_ORGANISATIONS[number % len(MEMBER_ORGANISATIONS)]
        case.headers.pop("Product-Id", None)
    case.call_and_validate(headers={"Authorization": f"Token {OPS['api_token']}"})
