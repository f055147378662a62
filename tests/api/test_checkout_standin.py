"""The Razorpay Checkout stand-in over HTTP: the script, and POST /razorpay/v1/standin/payments.

Signatures are checked with the standard library's HMAC and the secret from
fixtures/checkout.yaml, never with the mock's own helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import Stores, load_stores
from billing_mock.domain.store import Store
from tests.api.test_razorpay import BASE, LUMEN_OWNER, RECALLL_OWNER, _checkout, _me, sign
from tests.conftest import FIXTURES

PAYMENTS = "/razorpay/v1/standin/payments"
KEY_ID = "rzp_test_DcVynBMCWXBcq9"
assert KEY_ID in (FIXTURES / "checkout.yaml").read_text()
PAGE_ORIGIN = "http://localhost:5173"


@pytest.fixture
def own() -> Iterator[tuple[Stores, TestClient]]:
    """A server of its own, so the sandboxes made here are seen by no other test."""
    stores = load_stores(42)
    with TestClient(create_app(stores, validate_responses=True)) as client:
        yield stores, client


def _pay(client: TestClient, order_id: str, key_id: str = KEY_ID, **headers: str) -> Any:
    return client.post(PAYMENTS, json={"key_id": key_id, "order_id": order_id}, headers=headers)


def _refused(response: Any, status: int, reason: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["reason"] == reason, error
    assert error["code"] == "BAD_REQUEST_ERROR"
    return error


def test_the_script_is_served_as_javascript_to_any_localhost_page(client: TestClient) -> None:
    response = client.get("/razorpay/v1/checkout.js", headers={"Origin": PAGE_ORIGIN})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["access-control-allow-origin"] == PAGE_ORIGIN
    assert "window.Razorpay = Razorpay" in response.text


def test_pay_gives_what_confirm_accepts_and_records_nothing(
    client: TestClient, store: Store
) -> None:
    order_id = _checkout(client, LUMEN_OWNER)["razorpay"]["order_id"]
    version = store.version
    response = _pay(client, order_id)
    assert response.status_code == 200, response.text
    paid = response.json()
    assert set(paid) == {"razorpay_payment_id", "razorpay_order_id", "razorpay_signature"}
    assert paid["razorpay_order_id"] == order_id
    assert paid["razorpay_payment_id"].startswith("pay_")
    assert len(paid["razorpay_payment_id"]) == len("pay_") + 14
    assert paid["razorpay_signature"] == sign(order_id, paid["razorpay_payment_id"])
    assert store.version == version  # nothing stored
    assert _me(client)["status"] == "cancelled"
    confirm = {
        "orderId": paid["razorpay_order_id"],
        "paymentId": paid["razorpay_payment_id"],
        "signature": paid["razorpay_signature"],
    }
    response = client.post(f"{BASE}/checkout/confirm", json=confirm, headers=LUMEN_OWNER)
    assert response.status_code == 200, response.text
    assert _me(client)["status"] == "active"
    _refused(_pay(client, order_id), 409, "order_already_paid")


def test_the_same_order_gives_the_same_payment_and_another_order_another(
    client: TestClient,
) -> None:
    first = _checkout(client, LUMEN_OWNER)["orderId"]
    second = _checkout(client, LUMEN_OWNER)["orderId"]
    again = _pay(client, first).json()
    assert _pay(client, first).json() == again
    assert _pay(client, second).json()["razorpay_payment_id"] != again["razorpay_payment_id"]


def test_the_payment_id_depends_on_the_seed_not_the_time(client: TestClient, store: Store) -> None:
    order_id = _checkout(client, LUMEN_OWNER)["orderId"]
    at_start = _pay(client, order_id).json()
    store.advance(lambda now: now + timedelta(hours=1))
    assert _pay(client, order_id).json() == at_start


def test_a_key_that_is_not_the_gateways_is_refused(client: TestClient) -> None:
    order_id = _checkout(client, LUMEN_OWNER)["orderId"]
    error = _refused(_pay(client, order_id, key_id="rzp_test_SomeoneElse"), 400, "unknown_key")
    assert error["field"] == "key_id"
    assert "rzp_test_SomeoneElse" in error["description"]


@pytest.mark.parametrize("order_id", ["order_DoesNotExist00", "<script>"])
def test_an_unknown_order_is_404(client: TestClient, order_id: str) -> None:
    error = _refused(_pay(client, order_id), 404, "order_not_found")
    assert error["field"] == "order_id"


def test_any_organisations_order_can_be_paid(client: TestClient) -> None:
    """As with Razorpay, the order id is what is paid: the endpoint takes no credential."""
    lumen = _checkout(client, LUMEN_OWNER)["orderId"]
    assert _pay(client, lumen).status_code == 200
    recalll = client.post(
        f"{BASE}/checkout",
        json={"planId": "growth", "billingCycle": "monthly"},
        headers=RECALLL_OWNER,
    )
    if recalll.status_code == 201:  # recalll.co may be active already (then 409)
        assert _pay(client, recalll.json()["orderId"]).status_code == 200


def test_an_order_of_another_sandbox_is_404_there_and_found_in_its_own(
    own: tuple[Stores, TestClient],
) -> None:
    stores, client = own
    sandbox = {"X-Mock-Sandbox": "standin-a"}
    order_id = _checkout(client, {**LUMEN_OWNER, **sandbox})["orderId"]
    _refused(_pay(client, order_id), 404, "order_not_found")  # not in the default world
    assert _pay(client, order_id, **sandbox).status_code == 200
    _refused(_pay(client, order_id, **{"X-Mock-Sandbox": "standin-b"}), 404, "order_not_found")
    assert stores.get("standin-b") is None


def test_an_unknown_sandbox_is_not_made(own: tuple[Stores, TestClient]) -> None:
    stores, client = own
    response = _pay(client, "order_x", **{"X-Mock-Sandbox": "never-made"})
    _refused(response, 404, "order_not_found")
    assert stores.get("never-made") is None
    assert [name for name, _ in stores.listing()] == ["default"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"key_id": "rzp_test_DcVynBMCWXBcq9"}',
        b'{"key_id": "rzp_test_DcVynBMCWXBcq9", "order_id": 7}',
        b'{"key_id": "rzp_test_DcVynBMCWXBcq9", "order_id": ""}',
        b'{"key_id": "rzp_test_DcVynBMCWXBcq9", "order_id": "order_x", "amount": 1}',
        b'{"key_id": "rzp_test_DcVynBMCWXBcq9", "order_id": "' + b"o" * 65 + b'"}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_is_400_in_razorpays_envelope(client: TestClient, body: bytes) -> None:
    response = client.post(PAYMENTS, content=body, headers={"Content-Type": "application/json"})
    _refused(response, 400, "input_validation_failed")


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b'{"key_id": "' + b"k" * 2000 + b'", "order_id": "order_x"}'
    response = client.post(PAYMENTS, content=body, headers={"Content-Type": "application/json"})
    _refused(response, 413, "payload_too_large")


def test_a_page_on_another_localhost_port_may_call_it(client: TestClient) -> None:
    preflight = client.options(
        PAYMENTS,
        headers={
            "Origin": PAGE_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-mock-sandbox",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == PAGE_ORIGIN
    assert "x-mock-sandbox" in preflight.headers["access-control-allow-headers"].lower()
    response = _pay(client, "order_x", Origin=PAGE_ORIGIN)
    assert response.headers["access-control-allow-origin"] == PAGE_ORIGIN


def test_only_post_is_served(client: TestClient) -> None:
    assert client.get(PAYMENTS).status_code == 405
