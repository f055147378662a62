"""One organisation, three APIs: the same invoices, amounts and statuses everywhere,
also after a plan change paid partly or wholly by credit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

ORGS = {
    "recalll.co": ("3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f", 2),
    "northwind.io": ("7d2e9c41-5a3b-4f8e-b6d0-2c9a8e1f4b73", 2),
    "sakura.jp": ("9a4f3c2b-6e1d-4b8a-a7c5-3d2e1f0b9c86", 0),
}
CREDITED = [("recalll.co", "priya.sharma@recalll.co"), ("northwind.io", "dana.lee@northwind.io")]
PLAN_CHANGES = {"recalll.co": ("starter", "scale"), "northwind.io": ("growth", "scale")}
"""A downgrade, then an upgrade that the downgrade's credit pays in part or in whole."""


@pytest.mark.parametrize("handle", sorted(ORGS))
def test_same_invoices_through_every_api(
    client: TestClient, users: dict[str, Any], handle: str
) -> None:
    _assert_same_invoices(client, users, handle)


@pytest.mark.parametrize(("handle", "owner"), CREDITED, ids=[h for h, _ in CREDITED])
def test_credit_applied_shows_the_same_in_every_api(
    client: TestClient, users: dict[str, Any], handle: str, owner: str
) -> None:
    """A downgrade's credit pays part (recalll.co) or all (northwind.io) of the next
    upgrade: one invoice with a negative "Credit applied" line, the same totals everywhere.
    """
    key = next(m for m in users[owner]["memberships"] if m["organisation"] == handle)
    headers = {"X-API-Key": key["api_key"]}
    down, up = PLAN_CHANGES[handle]
    for plan in (down, up):
        response = client.post("/api/billing/plan-change", json={"planId": plan}, headers=headers)
        assert response.status_code == 200, response.text
    razorpay = response.json()["invoice"]
    credit = response.json()["proration"]["creditApplied"]
    org_id, exponent = ORGS[handle]
    cognita = client.get(
        f"/api/orgs/{org_id}/billing",
        headers={"Authorization": f"Bearer {users['ops@unpod.dev']['bearer']}"},
    ).json()["data"]["invoices"][0]
    scale = Decimal(10) ** exponent
    assert Decimal(razorpay["amount"]) * scale == cognita["totalAmount"]
    assert {"description": "Credit applied", "amount": int(-Decimal(credit) * scale)} in cognita[
        "lineItems"
    ]
    assert cognita["totalAmount"] == sum(line["amount"] for line in cognita["lineItems"])
    _assert_same_invoices(client, users, handle)


def _assert_same_invoices(client: TestClient, users: dict[str, Any], handle: str) -> None:
    org_id, exponent = ORGS[handle]
    ops = users["ops@unpod.dev"]
    bearer = {"Authorization": f"Bearer {ops['bearer']}"}
    unpod = client.get(
        "/api/v2/platform/organisation/billing/?page_size=100",
        headers={"Authorization": f"jwt {ops['jwt']}", "Org-Handle": handle},
    ).json()["data"]
    stripe = client.get(f"/v1/organizations/{org_id}/stripe/billing-details", headers=bearer).json()
    cognita = client.get(f"/api/orgs/{org_id}/billing", headers=bearer).json()["data"]

    assert len(unpod) == len(stripe["invoices"]) == len(cognita["invoices"]) > 0
    scale = Decimal(10) ** exponent
    for mine, theirs, cog in zip(unpod, stripe["invoices"], cognita["invoices"], strict=True):
        assert Decimal(mine["amount"]) * scale == theirs["total"] == cog["totalAmount"]
        assert mine["invoice_number"][-4:] == theirs["number"][-4:]
        assert theirs["id"] == cog["invoiceId"]
        assert mine["currency"] == theirs["currency"].upper() == cog["currency"]
        assert (
            (mine["status"] == "paid") == (theirs["status"] == "paid") == (cog["status"] == "paid")
        )
        assert mine["invoice_date"][:19] == theirs["createdAt"][:19]
    assert [card["id"] for card in stripe["paymentMethods"]] == [
        card["paymentMethodId"] for card in cognita["paymentMethods"]
    ]
