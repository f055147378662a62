"""The Razorpay-backed API over HTTP: auth, roles, the subscription lifecycle, PDF and CSV.

Signatures are computed here with the standard library's HMAC from the secret in
fixtures/checkout.yaml, never with the mock's own helper.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from typing import Any

import pytest
import yaml
from pypdf import PdfReader
from starlette.testclient import TestClient

from billing_mock.domain.terms import UNPAID_ORDERS_KEPT
from tests.conftest import FIXTURES, fixture_users

BASE = "/api/billing"
SECRET = yaml.safe_load((FIXTURES / "checkout.yaml").read_text())["gateway"]["key_secret"]
USERS = fixture_users()


def _key(email: str, org: str) -> dict[str, str]:
    membership = next(m for m in USERS[email]["memberships"] if m["organisation"] == org)
    return {"X-API-Key": membership["api_key"]}


OPS = "ops@unpod.dev"
LUMEN_OWNER = _key("clara.novak@lumen.studio", "lumen.studio")
LUMEN_ADMIN = _key("rafael.costa@lumen.studio", "lumen.studio")
LUMEN_MEMBER = _key("mina.park@lumen.studio", "lumen.studio")
RECALLL_OWNER = _key("priya.sharma@recalll.co", "recalll.co")
SUPER_ADMIN = _key(OPS, "recalll.co")


def sign(order_id: str, payment_id: str) -> str:
    return hmac.new(
        SECRET.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256
    ).hexdigest()


def _error(response: Any, status: int, reason: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["reason"] == reason, body
    assert body["code"] == ("SERVER_ERROR" if status >= 500 else "BAD_REQUEST_ERROR")
    return body


def _checkout(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(
        f"{BASE}/checkout",
        json={"planId": "growth", "billingCycle": "monthly", **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _confirm(client: TestClient, headers: dict[str, str], order_id: str, payment_id: str) -> Any:
    body = {"orderId": order_id, "paymentId": payment_id, "signature": sign(order_id, payment_id)}
    return client.post(f"{BASE}/checkout/confirm", json=body, headers=headers)


def _me(client: TestClient, headers: dict[str, str] = LUMEN_OWNER) -> dict[str, Any]:
    response = client.get(f"{BASE}/subscription/me", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


# --- authentication ------------------------------------------------------------------


def test_no_credentials_is_401_authentication_required(client: TestClient) -> None:
    _error(client.get(f"{BASE}/subscription/me"), 401, "authentication_required")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "bmk_00000000000000000000000000000000"},
        {"X-API-Key": USERS["priya.sharma@recalll.co"]["bearer"]},  # another API's credential
        {"Cookie": "session=sess_00000000000000000000000000000000"},
    ],
    ids=["unknown-key", "bearer-as-key", "unknown-session"],
)
def test_unknown_credentials_are_401_authentication_failed(
    client: TestClient, headers: dict[str, str]
) -> None:
    _error(client.get(f"{BASE}/subscription/me", headers=headers), 401, "authentication_failed")


def test_session_cookie_acts_for_its_organisation(client: TestClient) -> None:
    membership = USERS["priya.sharma@recalll.co"]["memberships"][0]
    client.cookies.set("session", membership["session"])
    body = _me(client, {})
    assert body["organizationId"] == "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
    assert (body["status"], body["planId"], body["amount"], body["currency"]) == (
        "active",
        "growth",
        "799.00",
        "INR",
    )


# --- roles ---------------------------------------------------------------------------

OWNER_OR_ADMIN = [
    ("post", "/checkout", {"planId": "growth", "billingCycle": "monthly"}),
    (
        "post",
        "/checkout/confirm",
        {
            "orderId": "order_AAAAAAAAAAAAAA",
            "paymentId": "pay_AAAAAAAAAAAAAA",
            "signature": "0" * 64,
        },
    ),
    ("post", "/plan-change", {"planId": "scale"}),
    ("post", "/cancel", {}),
    ("post", "/resume", None),
    ("get", "/invoices/inv_AAAAAAAAAAAAAA/pdf", None),
    ("get", "/payments/export", None),
]
SUPER_ADMIN_ONLY = [
    ("get", "/subscription", None),
    ("get", "/subscription/sub_AAAAAAAAAAAAAA", None),
    ("patch", "/subscription/sub_AAAAAAAAAAAAAA", {"notes": {"a": "b"}}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), OWNER_OR_ADMIN, ids=[p for _, p, _ in OWNER_OR_ADMIN]
)
def test_a_plain_member_may_not_manage_billing(
    client: TestClient, method: str, path: str, body: Any
) -> None:
    response = client.request(method, BASE + path, json=body, headers=LUMEN_MEMBER)
    error = _error(response, 403, "insufficient_role")
    assert error["description"] == "This action requires the Owner or Admin role"


@pytest.mark.parametrize(
    ("method", "path", "body"), SUPER_ADMIN_ONLY, ids=[p for _, p, _ in SUPER_ADMIN_ONLY]
)
@pytest.mark.parametrize(
    "headers", [LUMEN_OWNER, LUMEN_ADMIN, LUMEN_MEMBER], ids=["owner", "admin", "member"]
)
def test_only_a_super_admin_reaches_every_subscription(
    client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    response = client.request(method, BASE + path, json=body, headers=headers)
    assert (
        _error(response, 403, "insufficient_role")["description"]
        == "This action requires the Super Admin role"
    )


def test_every_role_sees_its_own_subscription(client: TestClient) -> None:
    assert {
        _me(client, headers)["status"] for headers in (LUMEN_OWNER, LUMEN_ADMIN, LUMEN_MEMBER)
    } == {"cancelled"}


def test_super_admin_lists_filters_pages_and_reads_subscriptions(client: TestClient) -> None:
    listing = client.get(f"{BASE}/subscription", headers=SUPER_ADMIN).json()
    assert (listing["total"], listing["count"], listing["page"], listing["pageSize"]) == (
        5,
        5,
        1,
        20,
    )
    by_status = {item["status"] for item in listing["items"]}
    assert by_status == {"active", "authenticated", "cancelled"}
    active = client.get(
        f"{BASE}/subscription", params={"status": "active"}, headers=SUPER_ADMIN
    ).json()
    assert active["total"] == 3
    assert {item["status"] for item in active["items"]} == {"active"}
    second = client.get(
        f"{BASE}/subscription", params={"page": 2, "pageSize": 2}, headers=SUPER_ADMIN
    ).json()
    assert [item["id"] for item in second["items"]] == [
        item["id"] for item in listing["items"][2:4]
    ]
    beyond = client.get(f"{BASE}/subscription", params={"page": 9}, headers=SUPER_ADMIN).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)
    one = listing["items"][0]
    assert client.get(f"{BASE}/subscription/{one['id']}", headers=SUPER_ADMIN).json() == one
    missing = client.get(f"{BASE}/subscription/sub_AAAAAAAAAAAAAA", headers=SUPER_ADMIN)
    assert _error(missing, 404, "subscription_not_found")["field"] == "id"


def test_super_admin_patch_sets_notes_and_plan_without_proration(client: TestClient) -> None:
    subscription = _me(client, RECALLL_OWNER)
    response = client.patch(
        f"{BASE}/subscription/{subscription['id']}",
        json={"planId": "scale", "notes": {"ticket": "SUP-1042"}},
        headers=SUPER_ADMIN,
    )
    assert response.status_code == 200, response.text
    after = _me(client, RECALLL_OWNER)
    assert (after["planId"], after["notes"], after["amount"]) == (
        "scale",
        {"ticket": "SUP-1042"},
        "4999.00",
    )
    assert after["currentStart"] == subscription["currentStart"]
    ended = _me(client)["id"]
    _error(
        client.patch(f"{BASE}/subscription/{ended}", json={"planId": "scale"}, headers=SUPER_ADMIN),
        409,
        "subscription_ended",
    )
    _error(
        client.patch(f"{BASE}/subscription/{ended}", json={"planId": "gold"}, headers=SUPER_ADMIN),
        404,
        "plan_not_found",
    )


# --- the lifecycle -------------------------------------------------------------------


def test_checkout_returns_what_razorpay_checkout_needs(client: TestClient) -> None:
    order = _checkout(client, LUMEN_OWNER, couponCode="LAUNCH20")
    assert order["orderId"].startswith("order_")
    assert len(order["orderId"]) == 20
    assert (order["price"], order["discount"], order["tax"], order["amount"]) == (
        "799.00",
        "159.80",
        "115.06",
        "754.26",
    )
    options = order["razorpay"]
    assert (
        options["key"]
        == yaml.safe_load((FIXTURES / "checkout.yaml").read_text())["gateway"]["key_id"]
    )
    assert (options["order_id"], options["amount"], options["currency"]) == (
        order["orderId"],
        75426,
        "INR",
    )
    assert options["prefill"] == {"name": "Clara Novak", "email": "clara.novak@lumen.studio"}


@pytest.mark.parametrize(
    ("body", "status", "reason", "field"),
    [
        ({"planId": "gold"}, 404, "plan_not_found", "planId"),
        ({"couponCode": "FREEBIE"}, 400, "coupon_not_found", "couponCode"),
        ({"couponCode": "DIWALI25"}, 400, "coupon_expired", "couponCode"),
        ({"couponCode": "YEARLY15"}, 400, "coupon_not_applicable", "couponCode"),
        ({"billingCycle": "weekly"}, 400, "input_validation_failed", "billingCycle"),
    ],
)
def test_checkout_refusals_name_the_field(
    client: TestClient, body: dict[str, Any], status: int, reason: str, field: str | None
) -> None:
    response = client.post(
        f"{BASE}/checkout",
        json={"planId": "growth", "billingCycle": "monthly", **body},
        headers=LUMEN_OWNER,
    )
    assert _error(response, status, reason)["field"] == field


def test_checkout_while_a_paid_subscription_runs_is_409(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/checkout",
        json={"planId": "scale", "billingCycle": "monthly"},
        headers=RECALLL_OWNER,
    )
    _error(response, 409, "subscription_already_active")


def test_a_bad_signature_is_400_and_changes_nothing(client: TestClient) -> None:
    order = _checkout(client, LUMEN_OWNER)
    before = _me(client)
    body = {
        "orderId": order["orderId"],
        "paymentId": "pay_AAAAAAAAAAAAAA",
        "signature": sign(order["orderId"], "pay_BBBBBBBBBBBBBB"),
    }
    error = _error(
        client.post(f"{BASE}/checkout/confirm", json=body, headers=LUMEN_OWNER),
        400,
        "invalid_signature",
    )
    assert error["field"] == "signature"
    assert _me(client) == before
    assert _confirm(client, LUMEN_OWNER, order["orderId"], "pay_AAAAAAAAAAAAAA").status_code == 200


def test_confirming_an_unknown_order_is_404(client: TestClient) -> None:
    _error(
        _confirm(client, LUMEN_OWNER, "order_AAAAAAAAAAAAAA", "pay_AAAAAAAAAAAAAA"),
        404,
        "order_not_found",
    )


def test_the_whole_lifecycle_shows_in_subscription_me(client: TestClient) -> None:
    assert _me(client)["status"] == "cancelled"
    order = _checkout(client, LUMEN_ADMIN)
    confirmed = _confirm(client, LUMEN_ADMIN, order["orderId"], "pay_Lumen000000001")
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["payment"] == {
        "id": "pay_Lumen000000001",
        "entity": "payment",
        "orderId": order["orderId"],
        "invoiceId": body["invoice"]["id"],
        "amount": "942.82",
        "currency": "INR",
        "status": "captured",
        "method": "card",
        "createdAt": "2026-11-15T09:30:00Z",
    }
    assert (body["invoice"]["number"], body["invoice"]["status"], body["invoice"]["amount"]) == (
        "INV-00001",
        "paid",
        "942.82",
    )
    me = _me(client)
    assert me == body["subscription"]
    assert (me["status"], me["planId"], me["currentStart"], me["currentEnd"]) == (
        "active",
        "growth",
        "2026-11-15T09:30:00Z",
        "2026-12-15T09:30:00Z",
    )

    # The same payment again: the same answer, no second payment.
    assert _confirm(client, LUMEN_ADMIN, order["orderId"], "pay_Lumen000000001").json() == body
    _error(
        _confirm(client, LUMEN_ADMIN, order["orderId"], "pay_Lumen000000002"),
        409,
        "order_already_paid",
    )
    assert len(_export(client, LUMEN_OWNER)) == 1

    cancelled = client.post(f"{BASE}/cancel", headers=LUMEN_OWNER)
    assert cancelled.status_code == 200, cancelled.text
    assert _me(client) == cancelled.json()
    assert (
        cancelled.json()["status"],
        cancelled.json()["cancelAtCycleEnd"],
        cancelled.json()["endedAt"],
    ) == ("active", True, None)
    _error(
        client.post(f"{BASE}/cancel", headers=LUMEN_OWNER), 409, "cancellation_already_scheduled"
    )

    resumed = client.post(f"{BASE}/resume", headers=LUMEN_OWNER).json()
    assert (resumed["status"], resumed["cancelAtCycleEnd"], resumed["cancelledAt"]) == (
        "active",
        False,
        None,
    )
    _error(
        client.post(f"{BASE}/resume", headers=LUMEN_OWNER), 409, "not_scheduled_for_cancellation"
    )

    ended = client.post(
        f"{BASE}/cancel", json={"cancelAtCycleEnd": False}, headers=LUMEN_OWNER
    ).json()
    assert (ended["status"], ended["endedAt"]) == ("cancelled", "2026-11-15T09:30:00Z")
    assert _me(client) == ended
    _error(client.post(f"{BASE}/resume", headers=LUMEN_OWNER), 409, "subscription_ended")
    _error(client.post(f"{BASE}/cancel", headers=LUMEN_OWNER), 409, "no_active_subscription")
    _error(
        client.post(f"{BASE}/plan-change", json={"planId": "scale"}, headers=LUMEN_OWNER),
        409,
        "no_active_subscription",
    )
    assert _checkout(client, LUMEN_OWNER)["orderId"] != order["orderId"]


def test_plan_change_prorates_and_charges_the_difference(client: TestClient) -> None:
    response = client.post(f"{BASE}/plan-change", json={"planId": "scale"}, headers=RECALLL_OWNER)
    assert response.status_code == 200, response.text
    body = response.json()
    # Growth 799.00 -> Scale 4999.00 for 2,298,600 of the period's 2,592,000 seconds.
    assert {k: body["proration"][k] for k in ("credit", "charge", "net", "tax", "amountDue")} == {
        "credit": "708.56",
        "charge": "4433.14",
        "net": "3724.58",
        "tax": "670.42",
        "amountDue": "4395.00",
    }
    assert body["invoice"]["amount"] == body["payment"]["amount"] == "4395.00"
    assert body["subscription"] == _me(client, RECALLL_OWNER)
    assert body["subscription"]["currentEnd"] == "2026-12-12T00:00:00Z"
    _error(
        client.post(f"{BASE}/plan-change", json={"planId": "scale"}, headers=RECALLL_OWNER),
        409,
        "plan_unchanged",
    )
    down = client.post(
        f"{BASE}/plan-change", json={"planId": "growth"}, headers=RECALLL_OWNER
    ).json()
    assert (down["proration"]["net"], down["invoice"], down["payment"]) == ("-3724.58", None, None)
    assert down["subscription"]["creditBalance"] == "3724.58"


# --- documents -----------------------------------------------------------------------


def _export(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, str]]:
    response = client.get(f"{BASE}/payments/export", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.text.startswith(
        "payment_id,order_id,invoice_id,invoice_number,created_at,status,method,currency,amount\r\n"
    )
    return list(csv.DictReader(io.StringIO(response.text)))


def test_payments_export_respects_the_range(client: TestClient) -> None:
    everything = _export(client, RECALLL_OWNER)
    assert len(everything) == 15
    assert [row["created_at"] for row in everything] == sorted(
        row["created_at"] for row in everything
    )
    some = _export(client, RECALLL_OWNER, **{"from": "2026-03-01", "to": "2026-06-30"})
    assert some
    assert all("2026-03-01" <= row["created_at"][:10] <= "2026-06-30" for row in some)
    assert some == [
        row for row in everything if "2026-03-01" <= row["created_at"][:10] <= "2026-06-30"
    ]
    response = client.get(
        f"{BASE}/payments/export",
        params={"from": "2026-03-01", "to": "2026-06-30"},
        headers=RECALLL_OWNER,
    )
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="payments-recalll.co-2026-03-01-2026-06-30.csv"'
    )


@pytest.mark.parametrize(
    ("params", "reason", "field"),
    [
        ({"from": "2026-07-01", "to": "2026-06-30"}, "invalid_date_range", "from"),
        ({"from": "2026-02-30"}, "invalid_date_range", "from"),
        ({"to": "2026-13-01"}, "invalid_date_range", "to"),
        ({"to": "yesterday"}, "input_validation_failed", "to"),
        ({"to": ""}, "input_validation_failed", "to"),
    ],
)
def test_payments_export_refuses_a_bad_range(
    client: TestClient, params: dict[str, str], reason: str, field: str | None
) -> None:
    response = client.get(f"{BASE}/payments/export", params=params, headers=RECALLL_OWNER)
    assert _error(response, 400, reason)["field"] == field


def test_invoice_pdf_is_a_cached_pdf_of_that_invoice(client: TestClient) -> None:
    row = _export(client, RECALLL_OWNER)[-1]
    response = client.get(f"{BASE}/invoices/{row['invoice_id']}/pdf", headers=RECALLL_OWNER)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, max-age=3600"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert f"Invoice {row['invoice_number']}" in text
    assert row["amount"] in text


def test_another_organisations_invoice_is_hidden(client: TestClient) -> None:
    row = _export(client, RECALLL_OWNER)[-1]
    northwind = _key("dana.lee@northwind.io", "northwind.io")
    _error(
        client.get(f"{BASE}/invoices/{row['invoice_id']}/pdf", headers=northwind),
        404,
        "invoice_not_found",
    )
    _error(
        client.get(f"{BASE}/invoices/inv_AAAAAAAAAAAAAA/pdf", headers=RECALLL_OWNER),
        404,
        "invoice_not_found",
    )


def test_a_new_invoice_shows_in_every_api(client: TestClient) -> None:
    client.post(f"{BASE}/plan-change", json={"planId": "scale"}, headers=RECALLL_OWNER)
    unpod = client.get(
        "/api/v2/platform/organisation/billing/",
        headers={
            "Org-Handle": "recalll.co",
            "Authorization": f"jwt {USERS['priya.sharma@recalll.co']['jwt']}",
        },
    ).json()
    assert unpod["count"] == 18
    assert unpod["data"][0]["invoice_number"] == "INV-00119"
    assert unpod["data"][0]["amount"] == "4395.00"


# --- issue 14: credit, confirm replay, one payment per gateway, bounded orders ----------

TINYLABS_OWNER = _key("sam@tinylabs.dev", "tinylabs.dev")
NORTHWIND_OWNER = _key("dana.lee@northwind.io", "northwind.io")


def _plan_change(client: TestClient, headers: dict[str, str], plan: str) -> dict[str, Any]:
    response = client.post(f"{BASE}/plan-change", json={"planId": plan}, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_downgrades_credit_is_deducted_from_the_next_upgrade_before_tax(
    client: TestClient,
) -> None:
    # Growth -> Starter credits 708.56 - 442.52 = 266.04 for the unused 2,298,600 s.
    down = _plan_change(client, RECALLL_OWNER, "starter")
    assert down["subscription"]["creditBalance"] == "266.04"
    # Starter -> Scale: 4433.14 - 442.52 = 3990.62, less the 266.04 of credit = 3724.58,
    # + 670.42 GST: what Growth -> Scale costs at once (4395.00), not 266.04 * 1.18 more.
    up = _plan_change(client, RECALLL_OWNER, "scale")
    assert (up["proration"]["amountDue"], up["subscription"]["creditBalance"]) == (
        "4395.00",
        "0.00",
    )
    proration = up["proration"]
    assert {k: proration[k] for k in ("net", "creditApplied", "tax", "amountDue")} == {
        "net": "3990.62",
        "creditApplied": "266.04",
        "tax": "670.42",
        "amountDue": "4395.00",
    }
    assert up["subscription"]["creditBalance"] == "0.00"
    invoice = up["invoice"]
    assert [(line["description"], line["amount"]) for line in invoice["lineItems"]] == [
        ("Starter to Scale, prorated 15 Nov 2026 to 12 Dec 2026", "3990.62"),
        ("Credit applied", "-266.04"),
    ]
    assert (invoice["subtotal"], invoice["tax"], invoice["amount"]) == (
        "3724.58",
        "670.42",
        "4395.00",
    )
    assert up["payment"]["amount"] == "4395.00"
    assert _me(client, RECALLL_OWNER)["creditBalance"] == "0.00"
    pdf = client.get(f"{BASE}/invoices/{invoice['id']}/pdf", headers=RECALLL_OWNER)
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Credit applied" in text
    assert "-266.04 INR" in text
    assert "4395.00 INR" in text


def test_credit_covering_the_whole_upgrade_leaves_a_paid_zero_invoice_and_no_payment(
    client: TestClient,
) -> None:
    payments = len(_export(client, NORTHWIND_OWNER))
    down = _plan_change(client, NORTHWIND_OWNER, "growth")  # Scale -> Growth: 12.66 credited
    assert down["subscription"]["creditBalance"] == "12.66"
    up = _plan_change(client, NORTHWIND_OWNER, "scale")
    assert up["subscription"]["creditBalance"] == "0.00"
    assert {k: up["proration"][k] for k in ("net", "creditApplied", "amountDue")} == {
        "net": "12.66",
        "creditApplied": "12.66",
        "amountDue": "0.00",
    }
    assert up["payment"] is None
    assert (up["invoice"]["status"], up["invoice"]["amount"]) == ("paid", "0.00")
    assert [line["amount"] for line in up["invoice"]["lineItems"]] == ["12.66", "-12.66"]
    assert up["subscription"]["creditBalance"] == "0.00"
    assert len(_export(client, NORTHWIND_OWNER)) == payments


def test_a_checkout_after_a_downgrade_is_priced_with_the_credit(client: TestClient) -> None:
    _plan_change(client, RECALLL_OWNER, "starter")  # 266.04 of credit
    ended = client.post(f"{BASE}/cancel", json={"cancelAtCycleEnd": False}, headers=RECALLL_OWNER)
    assert ended.json()["creditBalance"] == "266.04"
    order = _checkout(client, RECALLL_OWNER, planId="scale")
    assert (order["amount"], order["razorpay"]["amount"]) == ("5584.89", 558489)
    # 4999.00 - 266.04 = 4732.96, + 851.93 GST (18% of it, half up) = 5584.89.
    assert {k: order[k] for k in ("price", "discount", "creditApplied", "tax", "amount")} == {
        "price": "4999.00",
        "discount": "0.00",
        "creditApplied": "266.04",
        "tax": "851.93",
        "amount": "5584.89",
    }
    assert order["razorpay"]["amount"] == 558489
    confirmed = _confirm(client, RECALLL_OWNER, order["orderId"], "pay_Recalll0000001").json()
    assert [line["amount"] for line in confirmed["invoice"]["lineItems"]] == ["4999.00", "-266.04"]
    assert confirmed["invoice"]["amount"] == confirmed["payment"]["amount"] == "5584.89"
    assert confirmed["subscription"]["creditBalance"] == "0.00"


def test_confirming_again_after_a_plan_change_or_cancel_returns_the_first_body(
    client: TestClient,
) -> None:
    order = _checkout(client, LUMEN_OWNER)
    first = _confirm(client, LUMEN_OWNER, order["orderId"], "pay_Lumen000000001")
    assert first.status_code == 200, first.text
    _plan_change(client, LUMEN_OWNER, "scale")
    again = _confirm(client, LUMEN_OWNER, order["orderId"], "pay_Lumen000000001")
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    client.post(f"{BASE}/cancel", json={"cancelAtCycleEnd": False}, headers=LUMEN_OWNER)
    assert _confirm(client, LUMEN_OWNER, order["orderId"], "pay_Lumen000000001").json() == (
        first.json()
    )
    assert len(_export(client, LUMEN_OWNER)) == 2  # the checkout's and the upgrade's


def test_a_payment_captured_in_one_organisation_is_refused_in_another(client: TestClient) -> None:
    lumen = _checkout(client, LUMEN_OWNER)
    assert _confirm(client, LUMEN_OWNER, lumen["orderId"], "pay_Shared00000001").status_code == 200
    before = _me(client, TINYLABS_OWNER)
    tiny = _checkout(client, TINYLABS_OWNER)
    error = _error(
        _confirm(client, TINYLABS_OWNER, tiny["orderId"], "pay_Shared00000001"),
        409,
        "payment_already_captured",
    )
    assert error["field"] == "paymentId"
    assert _me(client, TINYLABS_OWNER) == before
    assert _export(client, TINYLABS_OWNER) == []
    # Another order of the same organisation cannot reuse it either.
    assert (
        _confirm(client, TINYLABS_OWNER, tiny["orderId"], "pay_Tiny0000000001").status_code == 200
    )


def test_only_the_newest_unpaid_orders_stay_payable(client: TestClient) -> None:
    orders = [_checkout(client, LUMEN_OWNER)["orderId"] for _ in range(UNPAID_ORDERS_KEPT + 1)]
    assert len(set(orders)) == len(orders)
    error = _error(
        _confirm(client, LUMEN_OWNER, orders[0], "pay_Lumen000000001"), 404, "order_not_found"
    )
    assert error["field"] == "orderId"
    assert _me(client)["status"] == "cancelled"
    assert _confirm(client, LUMEN_OWNER, orders[1], "pay_Lumen000000001").status_code == 200
