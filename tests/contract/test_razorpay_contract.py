"""Schemathesis against the Razorpay-backed contract: every operation, then the lifecycle
through the contract's OpenAPI links (checkout -> confirm -> subscription/me, ...).

Every default check applies, with response validation on in the app. A few constraints
cannot be written in JSON Schema, so valid (positive) cases are completed here the way a
real client would: a plan and a coupon code that exist (their 404/400 paths are example
tests in tests/api/test_razorpay.py), a payment signature computed with the
gateway's secret (the standard library's HMAC, not the mock's helper), and an export
range whose `from` is not after its `to`. Invalid (negative) cases are sent as generated.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import settings
from schemathesis import GenerationMode

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from tests.conftest import FIXTURES, fixture_users
from tests.contract.test_contracts import load

SECRET = yaml.safe_load((FIXTURES / "checkout.yaml").read_text())["gateway"]["key_secret"]
USERS = fixture_users()
PLANS = ("starter", "growth", "scale")
SUPER_ADMIN_OPERATIONS = {"listSubscriptions", "getSubscription", "updateSubscription"}


def _key(email: str, org: str) -> str:
    return next(m["api_key"] for m in USERS[email]["memberships"] if m["organisation"] == org)


# Owners of an organisation with no active subscription and of one with a paid one.
OWNERS = {
    "lumen.studio": _key("clara.novak@lumen.studio", "lumen.studio"),
    "recalll.co": _key("priya.sharma@recalll.co", "recalll.co"),
}
SUPER_ADMINS = {org: _key("ops@unpod.dev", org) for org in OWNERS}


def _headers(case: schemathesis.Case, org: str) -> dict[str, str]:
    """Credentials of the role the operation asks for, acting for `org`."""
    operation = case.operation.definition.raw.get("operationId")
    key = SUPER_ADMINS[org] if operation in SUPER_ADMIN_OPERATIONS else OWNERS[org]
    return {"X-API-Key": key}


def complete(case: schemathesis.Case) -> None:
    """Make a valid case valid in what its schema cannot say (see the module docstring)."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and isinstance(body.get("planId"), str):
        body["planId"] = PLANS[len(body["planId"]) % len(PLANS)]
    if body is not None and "couponCode" in body:
        body["couponCode"] = "LAUNCH20"
    if body is not None and {"orderId", "paymentId", "signature"} <= body.keys():
        message = f"{body['orderId']}|{body['paymentId']}".encode()
        body["signature"] = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    query = case.query or {}
    if "from" in query and "to" in query and str(query["from"]) > str(query["to"]):
        query["from"], query["to"] = query["to"], query["from"]


STORES = load_stores(42)
STORE = STORES.default
razorpay = load("razorpay-billing", create_app(STORES, validate_responses=True))


@pytest.mark.parametrize("org", list(OWNERS))
@razorpay.parametrize()
def test_razorpay(case: schemathesis.Case, org: str) -> None:
    complete(case)
    case.call_and_validate(headers=_headers(case, org))


class Lifecycle(razorpay.as_state_machine()):  # type: ignore[misc]
    """Scenarios along the links, each from the fixtures' state, as lumen.studio's owner."""

    confirmed = 0

    def setup(self) -> None:
        STORE.reset()

    def before_call(self, case: schemathesis.Case) -> None:
        complete(case)

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"headers": _headers(case, "lumen.studio")}

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        super().after_call(response, case)
        if (
            case.operation.definition.raw.get("operationId") == "confirmCheckout"
            and response.status_code == 200
        ):
            type(self).confirmed += 1


def test_lifecycle_through_links() -> None:
    Lifecycle.run(
        settings=settings(max_examples=30, stateful_step_count=6, derandomize=True, deadline=None)
    )
    # The links carried a checkout's order into confirm and it succeeded, not just 4xx paths.
    assert Lifecycle.confirmed > 0
