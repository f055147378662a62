"""Stripe-backed billing details over HTTP: Stripe-like values, errors, PDF and hosted links."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

RECALLL = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
NORTHWIND = "7d2e9c41-5a3b-4f8e-b6d0-2c9a8e1f4b73"
SAKURA = "9a4f3c2b-6e1d-4b8a-a7c5-3d2e1f0b9c86"


def _url(org_id: str) -> str:
    return f"/v1/organizations/{org_id}/stripe/billing-details"


def _bearer(users: dict[str, Any], email: str = "ops@unpod.dev") -> dict[str, str]:
    return {"Authorization": f"Bearer {users[email]['bearer']}"}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("org_id", [RECALLL, NORTHWIND, SAKURA])
def test_values_behave_like_stripe(client: TestClient, users: dict[str, Any], org_id: str) -> None:
    response = client.get(_url(org_id), headers=_bearer(users))
    assert response.status_code == 200
    body = response.json()
    assert body["invoices"]
    for invoice in body["invoices"]:
        assert invoice["amountPaid"] + invoice["amountRemaining"] == invoice["amountDue"]
        assert invoice["total"] == invoice["amountDue"]
        assert invoice["status"] in {"draft", "open", "paid", "uncollectible", "void"}
        assert (invoice["status"] == "paid") == (invoice["amountRemaining"] == 0)
        assert re.fullmatch(r"[A-Z0-9]{8}-\d{4}", invoice["number"])
        assert re.fullmatch(r"in_[A-Za-z0-9]{24}", invoice["id"])
        assert invoice["currency"] == invoice["currency"].lower()
        assert (
            _when(invoice["periodStart"]) <= _when(invoice["createdAt"]) < _when(invoice["dueAt"])
        )
        assert _when(invoice["periodStart"]) <= _when(invoice["periodEnd"])
        assert invoice["invoicePdf"] == invoice["hostedInvoiceUrl"] + "/pdf"
    cards = body["paymentMethods"]
    assert sum(card["isDefault"] for card in cards) == 1
    for card in cards:
        assert re.fullmatch(r"\d{4}", card["last4"])
        assert 1 <= card["expMonth"] <= 12
        assert 2020 <= card["expYear"] <= 2040
        assert card["brand"] in {"visa", "mastercard", "amex", "discover", "jcb", "rupay"}
        assert card["type"] == "card"


def test_minor_units_follow_the_currency_exponent(
    client: TestClient, users: dict[str, Any]
) -> None:
    unpod = client.get(
        "/api/v2/platform/organisation/billing/?page_size=100",
        headers={
            "Authorization": f"Token {users['ops@unpod.dev']['api_token']}",
            "Org-Handle": "sakura.jp",
        },
    ).json()["data"]
    stripe = client.get(_url(SAKURA), headers=_bearer(users)).json()["invoices"]
    assert stripe[0]["currency"] == "jpy"
    # JPY has no minor unit: 3300 yen is "3300" in Unpod and 3300 here.
    assert [int(item["amount"]) for item in unpod] == [item["total"] for item in stripe]
    inr = client.get(_url(RECALLL), headers=_bearer(users)).json()["invoices"][0]
    assert inr["total"] % 1 == 0
    assert inr["total"] > 10_000


def test_pdf_link_is_a_real_pdf_of_that_invoice(client: TestClient, users: dict[str, Any]) -> None:
    invoice = client.get(_url(RECALLL), headers=_bearer(users)).json()["invoices"][0]
    response = client.get(invoice["invoicePdf"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Invoice {invoice['number']}" in text
    assert f"{invoice['total'] / 100:.2f} INR" in text
    hosted = client.get(invoice["hostedInvoiceUrl"])
    assert hosted.status_code == 200
    assert invoice["number"] in hosted.text


def _error(response: Any, status: int, message: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["statusCode"], body["message"]) == (status, message)


def test_error_paths(client: TestClient, users: dict[str, Any]) -> None:
    priya = _bearer(users, "priya.sharma@recalll.co")
    _error(client.get(_url(RECALLL)), 401, "Unauthorized")
    _error(client.get(_url(RECALLL), headers={"Authorization": "Bearer nope"}), 401, "Unauthorized")
    _error(
        client.get(_url(NORTHWIND), headers=priya),
        403,
        "You do not have access to this organization",
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    _error(client.get(_url(unknown), headers=priya), 404, "Organization not found")
    response = client.get(_url("recalll.co"), headers=priya)
    assert response.status_code == 400
    assert "orgId" in response.json()["message"]
    unknown_invoice = "/v1/stripe/invoices/in_000000000000000000000000_default_" + "0" * 32
    _error(client.get(unknown_invoice), 404, "Invoice not found")
