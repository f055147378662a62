"""The Razorpay-backed API names the request field at fault on `input_validation_failed`,
as the contract's own examples (`malformedId`, `invalidBillingCycle`) promise.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

OWNER = {"X-API-Key": "bmk_30ad7e29f4ae54bbc956d62580a5a9ad"}  # priya, recalll.co
STAFF = {"X-API-Key": "bmk_4ee7091dd376c1411d820b1fe07d93dd"}  # ops@unpod.dev
BASE = "/api/billing"


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "field"),
    [
        (
            "POST",
            "/checkout",
            OWNER,
            {"planId": "growth", "billingCycle": "weekly"},
            "billingCycle",
        ),
        ("POST", "/checkout", OWNER, {"billingCycle": "monthly"}, "planId"),
        ("POST", "/checkout", OWNER, {"planId": "growth", "extra": 1}, "extra"),
        ("GET", "/subscription/sub_123", STAFF, None, "id"),
        ("GET", "/subscription?page=0", STAFF, None, "page"),
        ("GET", "/payments/export?from=yesterday", OWNER, None, "from"),
        (
            "POST",
            "/checkout/confirm",
            OWNER,
            {"orderId": "order_x", "paymentId": "p", "signature": "s"},
            "paymentId",
        ),
    ],
)
def test_a_validation_failure_names_its_field(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    field: str,
) -> None:
    response = client.request(method, BASE + path, headers=headers, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["reason"], error["field"]) == ("input_validation_failed", field)
