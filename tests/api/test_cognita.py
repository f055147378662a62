"""Cognita organization billing over HTTP: realism, Update Plan state, errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.testclient import TestClient

RECALLL = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
NORTHWIND = "7d2e9c41-5a3b-4f8e-b6d0-2c9a8e1f4b73"
TINYLABS = "c15b7e0d-2f4a-4d6b-8a9c-5e3f1b7d9a20"
ALL = (RECALLL, NORTHWIND, TINYLABS, "9a4f3c2b-6e1d-4b8a-a7c5-3d2e1f0b9c86")


def _bearer(users: dict[str, Any], email: str = "ops@unpod.dev") -> dict[str, str]:
    return {"Authorization": f"Bearer {users[email]['bearer']}"}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _bill(client: TestClient, users: dict[str, Any], org_id: str) -> dict[str, Any]:
    response = client.get(f"/api/orgs/{org_id}/billing", headers=_bearer(users))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["message"]) == (
        "ok",
        "Organization billing details fetched successfully",
    )
    data: dict[str, Any] = body["data"]
    return data


def test_billing_details_are_consistent(client: TestClient, users: dict[str, Any]) -> None:
    for org_id in ALL:
        bill = _bill(client, users, org_id)
        assert bill["orgId"] == org_id
        subscription = bill["currentSubscription"]
        plan = subscription["plan"]
        assert plan["currency"] == bill["billingAccount"]["currency"]
        assert _when(subscription["renewalDate"]) > _when(subscription["startDate"])
        if subscription["status"] != "trialing":
            assert subscription["trialEnd"] is None or _when(subscription["trialEnd"]) < _when(
                subscription["startDate"]
            )
        for invoice in bill["invoices"]:
            assert invoice["totalAmount"] == sum(line["amount"] for line in invoice["lineItems"])
            assert invoice["currency"] == plan["currency"]
        allows = plan["entitlements"]
        metrics = {m["metricType"]: m["totalValue"] for m in bill["usageSummary"]["metrics"]}
        assert 0 <= metrics["meetings"] <= allows["maxMeetingsPerMonth"]
        assert 0 <= metrics["recordingStorageGb"] <= allows["recordingStorageGb"]
        assert metrics["aiSummaries"] <= metrics["meetings"]
        assert allows["aiSummary"] or metrics["aiSummaries"] == 0


def test_trial_organisation_is_trialing_until_its_trial_end(
    client: TestClient, users: dict[str, Any]
) -> None:
    subscription = _bill(client, users, TINYLABS)["currentSubscription"]
    assert subscription["status"] == "trialing"
    assert subscription["trialEnd"] == subscription["endDate"]


def _update(client: TestClient, users: dict[str, Any], org_id: str, body: Any) -> Any:
    return client.post(f"/api/orgs/{org_id}/billing/plan", headers=_bearer(users), json=body)


def test_update_plan_changes_what_get_returns(client: TestClient, users: dict[str, Any]) -> None:
    before = _bill(client, users, RECALLL)
    response = _update(client, users, RECALLL, {"planId": "scale", "billingCycle": "yearly"})
    assert response.status_code == 200
    assert response.json()["message"] == "Plan updated successfully"
    after = _bill(client, users, RECALLL)
    assert after == response.json()["data"]
    subscription = after["currentSubscription"]
    assert (subscription["plan"]["planId"], subscription["billingCycle"]) == ("scale", "yearly")
    assert subscription["plan"]["entitlements"]["maxMeetingsPerMonth"] == 2000
    assert subscription["subscriptionId"] == before["currentSubscription"]["subscriptionId"]
    # Monthly Growth to yearly Scale: 708.56 credited for the unused month, a whole
    # year of Scale (49990.00) charged, 18% GST on the net; invoiced and paid at once.
    assert after["invoices"][1:] == before["invoices"]
    prorated = after["invoices"][0]
    assert [line["amount"] for line in prorated["lineItems"]] == [4928144, 887066]
    assert (prorated["totalAmount"], prorated["status"]) == (5815210, "paid")
    period = after["usageSummary"]["period"]
    assert (_when(period["end"]) - _when(period["start"])).days == 365


def _error(response: Any, status: int, message: str | None = None) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    if message is not None:
        assert body["message"] == message


def test_bad_updates_change_nothing(client: TestClient, users: dict[str, Any]) -> None:
    before = _bill(client, users, NORTHWIND)
    _error(
        _update(client, users, NORTHWIND, {"planId": "platinum", "billingCycle": "monthly"}),
        404,
        "Plan not found",
    )
    _error(
        _update(client, users, NORTHWIND, {"planId": "scale", "billingCycle": "monthly"}),
        409,
        "Organization is already on this plan",
    )
    _error(_update(client, users, NORTHWIND, {"planId": "growth", "billingCycle": "weekly"}), 400)
    _error(_update(client, users, NORTHWIND, {"planId": "growth"}), 400)
    _error(_update(client, users, NORTHWIND, ["growth"]), 400)
    garbled = client.post(
        f"/api/orgs/{NORTHWIND}/billing/plan",
        headers={**_bearer(users), "Content-Type": "application/json"},
        content=b"\x91\xc7\x96e",
    )
    _error(garbled, 400, "Malformed request body: not UTF-8 encoded JSON")
    assert _bill(client, users, NORTHWIND) == before


def test_error_paths(client: TestClient, users: dict[str, Any]) -> None:
    url = f"/api/orgs/{NORTHWIND}/billing"
    _error(client.get(url), 401, "Unauthorized")
    _error(
        client.get(url, headers={"Authorization": "Bearer nope"}), 401, "Invalid or expired token"
    )
    _error(client.get(url, headers=_bearer(users, "priya.sharma@recalll.co")), 403)
    _error(
        client.get(
            "/api/orgs/00000000-0000-4000-8000-000000000000/billing", headers=_bearer(users)
        ),
        404,
        "Organization not found",
    )
    _error(client.get("/api/orgs/northwind/billing", headers=_bearer(users)), 400)
    forbidden = client.post(
        f"/api/orgs/{NORTHWIND}/billing/plan",
        headers=_bearer(users, "priya.sharma@recalll.co"),
        json={"planId": "growth", "billingCycle": "monthly"},
    )
    _error(forbidden, 403)


def test_a_member_may_not_update_the_shared_plan(client: TestClient, users: dict[str, Any]) -> None:
    """One role rule for every API that writes the subscription: a Member gets 403 here
    as on the Razorpay-backed plan change; an Owner, Admin or Super Admin may.
    """
    before = _bill(client, users, RECALLL)
    member = client.post(
        f"/api/orgs/{RECALLL}/billing/plan",
        headers=_bearer(users, "neha.iyer@recalll.co"),
        json={"planId": "scale", "billingCycle": "yearly"},
    )
    _error(member, 403, "This action requires the Owner or Admin role")
    assert _bill(client, users, RECALLL) == before
    admin = client.post(
        f"/api/orgs/{RECALLL}/billing/plan",
        headers=_bearer(users, "arjun.mehta@recalll.co"),
        json={"planId": "scale", "billingCycle": "monthly"},
    )
    assert admin.status_code == 200, admin.text
    assert admin.json()["data"]["currentSubscription"]["plan"]["planId"] == "scale"
