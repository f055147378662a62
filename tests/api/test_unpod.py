"""Unpod billing over HTTP: the seed's request, every documented error, pagination, determinism."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.domain import errors

URL = "/api/v2/platform/organisation/billing/"
PRIYA = "priya.sharma@recalll.co"  # member of recalll.co only


def _headers(users: dict[str, Any], email: str = PRIYA, **extra: str) -> dict[str, str]:
    return {"Authorization": f"jwt {users[email]['jwt']}", "Org-Handle": "recalll.co", **extra}


def _error(response: Any, status: int, message: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status_code": status, "message": message}


def test_seed_example_request(client: TestClient, users: dict[str, Any]) -> None:
    response = client.get(
        URL,
        params={"page": 1, "page_size": 10},
        headers={"accept": "application/json", "Product-Id": "unpod.dev", **_headers(users)},
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["count", "status_code", "message", "data"]
    assert (body["count"], body["status_code"]) == (17, 200)
    assert body["message"] == "Billing data fetched successfully"
    assert len(body["data"]) == 10
    first = body["data"][0]
    assert first["invoice_number"] == "INV-00118"
    assert set(first) == {
        "id", "invoice_number", "amount", "tax_amount", "currency", "status",
        "charge_type", "invoice_date", "due_date", "payment_at",
    }  # fmt: skip
    for invoice in body["data"]:
        amount, tax = Decimal(invoice["amount"]), Decimal(invoice["tax_amount"])
        subtotal = amount - tax
        assert tax == (subtotal * Decimal("0.18")).quantize(Decimal("0.01"))
        assert invoice["currency"] == "INR"
        assert (invoice["status"] == "paid") == (invoice["payment_at"] is not None)


@pytest.mark.parametrize("scheme", ["jwt", "JWT", "Token", "token"])
def test_both_documented_authorization_forms(
    client: TestClient, users: dict[str, Any], scheme: str
) -> None:
    credential = users[PRIYA]["api_token" if scheme.lower() == "token" else "jwt"]
    headers = {"Authorization": f"{scheme} {credential}", "Org-Handle": "recalll.co"}
    assert client.get(URL, headers=headers).status_code == 200


def test_missing_credentials_is_the_documented_401(client: TestClient) -> None:
    _error(client.get(URL, headers={"Org-Handle": "recalll.co"}), 401, errors.NOT_AUTHENTICATED)


@pytest.mark.parametrize(
    "authorization",
    [
        "jwt not-a-token",
        "Token 0000000000000000000000000000000000000000",
        "Bearer {jwt}",  # right token, undocumented scheme word
        "Token {jwt}",  # a JWT is not an API token
        "jwt {api_token}",  # nor the other way round
        "jwt",
        "{jwt}",
    ],
)
def test_unknown_or_misplaced_credentials_are_401(
    client: TestClient, users: dict[str, Any], authorization: str
) -> None:
    header = authorization.format(**users[PRIYA])
    response = client.get(URL, headers={"Authorization": header, "Org-Handle": "recalll.co"})
    _error(response, 401, errors.INVALID_TOKEN)


def test_missing_org_handle_is_400(client: TestClient, users: dict[str, Any]) -> None:
    headers = _headers(users)
    del headers["Org-Handle"]
    _error(client.get(URL, headers=headers), 400, "Missing required header: Org-Handle.")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "Invalid query parameter page: 0 is less than the minimum of 1."),
        ("page=abc", "Invalid query parameter page: 'abc' is not of type 'integer'."),
        ("page_size=0", "Invalid query parameter page_size: 0 is less than the minimum of 1."),
        (
            "page_size=101",
            "Invalid query parameter page_size: 101 is greater than the maximum of 100.",
        ),
        ("page_size=1.5", "Invalid query parameter page_size: '1.5' is not of type 'integer'."),
    ],
)
def test_invalid_paging_is_400(
    client: TestClient, users: dict[str, Any], query: str, message: str
) -> None:
    _error(client.get(f"{URL}?{query}", headers=_headers(users)), 400, message)


def test_product_the_organisation_lacks_is_404(client: TestClient, users: dict[str, Any]) -> None:
    response = client.get(URL, headers=_headers(users, **{"Product-Id": "voice.unpod.ai"}))
    _error(response, 404, errors.PRODUCT_NOT_FOUND.format(product="voice.unpod.ai"))


def test_non_member_is_403(client: TestClient, users: dict[str, Any]) -> None:
    headers = _headers(users, **{"Org-Handle": "northwind.io"})
    _error(client.get(URL, headers=headers), 403, errors.NOT_A_MEMBER)


def test_unknown_organisation_is_404(client: TestClient, users: dict[str, Any]) -> None:
    headers = _headers(users, **{"Org-Handle": "nowhere.example"})
    _error(client.get(URL, headers=headers), 404, errors.ORGANISATION_NOT_FOUND)


def test_page_past_the_end_is_404(client: TestClient, users: dict[str, Any]) -> None:
    assert client.get(f"{URL}?page=2&page_size=10", headers=_headers(users)).status_code == 200
    response = client.get(f"{URL}?page=3&page_size=10", headers=_headers(users))
    _error(response, 404, errors.PAGE_NOT_FOUND)


def test_auth_is_checked_before_parameters(client: TestClient) -> None:
    _error(client.get(f"{URL}?page=0"), 401, errors.NOT_AUTHENTICATED)


def test_wrong_method_and_unknown_path_use_the_envelope(
    client: TestClient, users: dict[str, Any]
) -> None:
    _error(client.post(URL, headers=_headers(users)), 405, "Method not allowed.")
    _error(client.get("/api/v2/platform/nothing-here"), 404, "Not found.")


@pytest.mark.parametrize("size", [1, 4, 7, 20])
def test_pages_cover_the_history_exactly(
    client: TestClient, users: dict[str, Any], size: int
) -> None:
    ops = users["ops@unpod.dev"]
    headers = {"Authorization": f"Token {ops['api_token']}", "Org-Handle": "northwind.io"}
    everything = client.get(f"{URL}?page_size=100", headers=headers).json()
    assert everything["count"] == len(everything["data"]) == 26
    pages, number = [], 1
    while (
        response := client.get(f"{URL}?page={number}&page_size={size}", headers=headers)
    ).status_code == 200:
        assert response.json()["count"] == 26
        pages.extend(response.json()["data"])
        number += 1
    assert response.status_code == 404
    assert pages == everything["data"]
    numbers = [int(item["invoice_number"].removeprefix("INV-")) for item in pages]
    assert numbers == sorted(numbers, reverse=True)


def test_default_page_size_is_20(client: TestClient, users: dict[str, Any]) -> None:
    ops = users["ops@unpod.dev"]
    headers = {"Authorization": f"jwt {ops['jwt']}", "Org-Handle": "northwind.io"}
    assert len(client.get(URL, headers=headers).json()["data"]) == 20
    assert len(client.get(f"{URL}?page=2", headers=headers).json()["data"]) == 6


def test_empty_history_is_an_empty_first_page(client: TestClient, users: dict[str, Any]) -> None:
    sam = users["sam@tinylabs.dev"]
    headers = {"Authorization": f"jwt {sam['jwt']}", "Org-Handle": "tinylabs.dev"}
    body = client.get(URL, headers=headers).json()
    assert (body["count"], body["data"]) == (0, [])
    _error(client.get(f"{URL}?page=2", headers=headers), 404, errors.PAGE_NOT_FOUND)


def test_usd_organisation_has_no_gst(client: TestClient, users: dict[str, Any]) -> None:
    dana = users["dana.lee@northwind.io"]
    headers = {"Authorization": f"jwt {dana['jwt']}", "Org-Handle": "northwind.io"}
    for invoice in client.get(URL, headers=headers).json()["data"]:
        assert (invoice["currency"], invoice["tax_amount"]) == ("USD", "0.00")


def _page_bytes(seed: int, headers: dict[str, str]) -> bytes:
    with TestClient(create_app(load_stores(seed))) as fresh:
        return fresh.get(f"{URL}?page_size=100", headers=headers).content


def test_same_seed_same_bytes_other_seed_other_data(users: dict[str, Any]) -> None:
    headers = _headers(users)
    assert _page_bytes(42, headers) == _page_bytes(42, headers)
    assert _page_bytes(42, headers) != _page_bytes(43, headers)
