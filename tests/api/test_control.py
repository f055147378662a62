"""The control API (`/__mock`) over HTTP: reset, the state view, scenarios, its own token.

State is changed through the Razorpay-backed API (a checkout paid and confirmed for
lumen.studio, a cancellation for recalll.co) and must come back with a reset. The apps
here are built with a control token (the session app in conftest has none), and one
without, to check that only loopback callers reach it then.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from connexion import AsyncApp
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.domain.store import Store
from billing_mock.domain.terms import UNPAID_ORDERS_KEPT
from billing_mock.settings import Settings
from tests.conftest import FIXTURES, fixture_users

BASE = "/__mock"
RAZORPAY = "/api/billing"
TOKEN = "test-token"
CONTROL = {"X-Mock-Control-Token": TOKEN}
SECRET = yaml.safe_load((FIXTURES / "checkout.yaml").read_text())["gateway"]["key_secret"]
USERS = fixture_users()
HANDLES = ["recalll.co", "northwind.io", "tinylabs.dev", "sakura.jp", "lumen.studio"]


def _key(email: str, org: str) -> dict[str, str]:
    membership = next(m for m in USERS[email]["memberships"] if m["organisation"] == org)
    return {"X-API-Key": membership["api_key"]}


LUMEN_OWNER = _key("clara.novak@lumen.studio", "lumen.studio")
RECALLL_OWNER = _key("priya.sharma@recalll.co", "recalll.co")
OPS = USERS["ops@unpod.dev"]


@pytest.fixture(scope="module")
def served() -> tuple[Store, AsyncApp]:
    stores = load_stores(42)
    settings = Settings(control_token=TOKEN)
    return stores.default, create_app(stores, settings, validate_responses=True)


@pytest.fixture
def client(served: tuple[Store, AsyncApp]) -> Iterator[TestClient]:
    served[0].reset()
    with TestClient(served[1]) as client:
        yield client


@pytest.fixture(scope="module")
def tokenless() -> AsyncApp:
    """An app started without a control token: loopback callers only."""
    return create_app(load_stores(42), validate_responses=True)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    message: str = body["error"]["message"]
    return message


def _state(client: TestClient, handle: str) -> dict[str, Any]:
    return _ok(client.get(f"{BASE}/organisations/{handle}", headers=CONTROL))


def _lumen_buys_growth(client: TestClient) -> dict[str, Any]:
    """Checkout and confirm Growth (monthly) for lumen.studio through the Razorpay API."""
    checkout = client.post(
        f"{RAZORPAY}/checkout",
        json={"planId": "growth", "billingCycle": "monthly"},
        headers=LUMEN_OWNER,
    )
    assert checkout.status_code == 201, checkout.text
    order_id, payment_id = checkout.json()["orderId"], "pay_CTRLTEST000001"
    signature = hmac.new(
        SECRET.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256
    ).hexdigest()
    body = {"orderId": order_id, "paymentId": payment_id, "signature": signature}
    return _ok(client.post(f"{RAZORPAY}/checkout/confirm", json=body, headers=LUMEN_OWNER))


def _recalll_cancels(client: TestClient) -> None:
    _ok(client.post(f"{RAZORPAY}/cancel", headers=RECALLL_OWNER))


# --- the state view ------------------------------------------------------------------


def test_state_of_a_fixture_organisation(client: TestClient) -> None:
    state = _state(client, "recalll.co")
    assert (state["handle"], state["id"], state["currency"], state["scenario"]) == (
        "recalll.co",
        "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f",
        "INR",
        None,
    )
    subscription = state["subscription"]
    assert (subscription["plan"], subscription["billingCycle"], subscription["status"]) == (
        "growth",
        "monthly",
        "active",
    )
    assert subscription["periodStart"].endswith("Z")
    assert state["invoices"]["count"] == 17
    assert [item["number"] for item in state["invoices"]["newest"]] == [118, 117, 116, 115, 114]
    assert (state["payments"]["count"], len(state["payments"]["newest"])) == (15, 5)
    assert state["orders"] == {"count": 0, "created": 0, "newest": []}
    assert state["creditBalance"] == "0.00"


def test_expired_orders_still_count_as_created(client: TestClient) -> None:
    body = {"planId": "growth", "billingCycle": "monthly"}
    for _ in range(UNPAID_ORDERS_KEPT + 5):
        response = client.post(f"{RAZORPAY}/checkout", json=body, headers=LUMEN_OWNER)
        assert response.status_code == 201
    orders = _state(client, "lumen.studio")["orders"]
    assert (orders["count"], orders["created"]) == (UNPAID_ORDERS_KEPT, UNPAID_ORDERS_KEPT + 5)


def test_state_reflects_a_checkout_and_its_confirmation(client: TestClient) -> None:
    before = _state(client, "lumen.studio")
    assert before["subscription"]["status"] == "canceled"
    assert before["invoices"]["count"] == before["payments"]["count"] == 0

    confirmed = _lumen_buys_growth(client)

    after = _state(client, "lumen.studio")
    assert after["subscription"]["status"] == "active"
    assert after["subscription"]["reference"] == confirmed["subscription"]["id"]
    assert (after["orders"]["count"], after["orders"]["created"]) == (1, 1)
    assert after["orders"]["newest"] == [{"id": confirmed["payment"]["orderId"], "status": "paid"}]
    assert after["payments"] == {
        "count": 1,
        "newest": [{"id": "pay_CTRLTEST000001", "status": "captured", "amount": "942.82"}],
    }
    assert after["invoices"]["count"] == 1
    assert after["invoices"]["newest"][0]["total"] == confirmed["invoice"]["amount"]


def test_state_reflects_a_cancellation_at_period_end(client: TestClient) -> None:
    _recalll_cancels(client)
    assert _state(client, "recalll.co")["subscription"]["cancelAtPeriodEnd"] is True


def test_state_is_the_real_state_whatever_steering_headers_say(client: TestClient) -> None:
    # The control API is never steered: it shows what the vendor APIs hold.
    headers = {**CONTROL, "X-Mock-Scenario": "failed-payment"}
    state = _ok(client.get(f"{BASE}/organisations/recalll.co", headers=headers))
    assert state == _state(client, "recalll.co")
    assert (state["scenario"], state["subscription"]["status"]) == (None, "active")


def test_a_seed_names_its_sandbox_on_the_control_api_too(client: TestClient) -> None:
    """X-Mock-Seed: 7 is the sandbox seed-7 everywhere: a reset sent with it must not
    reset default (it used to be ignored there, and reset default instead).
    """
    key = {"X-API-Key": RECALLL_OWNER["X-API-Key"]}
    for seed in ("7", None):
        extra = {"X-Mock-Seed": seed} if seed else {}
        assert client.post(f"{RAZORPAY}/cancel", headers={**key, **extra}).status_code == 200
    seven = {**CONTROL, "X-Mock-Seed": "7"}
    by_seed = _ok(client.get(f"{BASE}/organisations/recalll.co", headers=seven))
    by_name = _ok(
        client.get(
            f"{BASE}/organisations/recalll.co", headers={**CONTROL, "X-Mock-Sandbox": "seed-7"}
        )
    )
    assert by_seed == by_name != _state(client, "recalll.co")
    _ok(client.post(f"{BASE}/reset", headers=seven))
    assert not _ok(client.get(f"{BASE}/organisations/recalll.co", headers=seven))["subscription"][
        "cancelAtPeriodEnd"
    ]
    assert _state(client, "recalll.co")["subscription"]["cancelAtPeriodEnd"] is True


def test_state_of_an_unknown_organisation_is_404(client: TestClient) -> None:
    response = client.get(f"{BASE}/organisations/nobody.example", headers=CONTROL)
    assert _error(response, 404) == "Organisation not found"


def test_a_malformed_handle_is_400(client: TestClient) -> None:
    response = client.get(f"{BASE}/organisations/Recalll.co", headers=CONTROL)
    assert "handle" in _error(response, 400)


# --- reset ---------------------------------------------------------------------------


def test_reset_restores_every_organisation(client: TestClient) -> None:
    fixtures = {handle: _state(client, handle) for handle in HANDLES}
    _lumen_buys_growth(client)
    _recalll_cancels(client)
    assert _state(client, "lumen.studio") != fixtures["lumen.studio"]

    assert _ok(client.post(f"{BASE}/reset", headers=CONTROL)) == {"reset": HANDLES}

    assert {handle: _state(client, handle) for handle in HANDLES} == fixtures
    me = _ok(client.get(f"{RAZORPAY}/subscription/me", headers=LUMEN_OWNER))
    assert me["status"] == "cancelled"
    # The checkout can be made again: nothing of the first one is left.
    _lumen_buys_growth(client)


def test_reset_of_one_organisation_leaves_the_others(client: TestClient) -> None:
    lumen = _state(client, "lumen.studio")
    _lumen_buys_growth(client)
    _recalll_cancels(client)

    response = client.post(
        f"{BASE}/reset", params={"organisation": "lumen.studio"}, headers=CONTROL
    )

    assert _ok(response) == {"reset": ["lumen.studio"]}
    assert _state(client, "lumen.studio") == lumen
    assert _state(client, "recalll.co")["subscription"]["cancelAtPeriodEnd"] is True


def test_reset_of_an_unknown_organisation_is_404_and_resets_nothing(client: TestClient) -> None:
    _recalll_cancels(client)
    response = client.post(
        f"{BASE}/reset", params={"organisation": "nobody.example"}, headers=CONTROL
    )
    assert _error(response, 404) == "Organisation not found"
    assert _state(client, "recalll.co")["subscription"]["cancelAtPeriodEnd"] is True


def test_reset_takes_post_only(client: TestClient) -> None:
    response = client.get(f"{BASE}/reset", headers=CONTROL)
    _error(response, 405)
    assert response.headers["allow"] == "POST"


def _me(client: TestClient, **headers: str) -> dict[str, Any]:
    return _ok(client.get(f"{RAZORPAY}/subscription/me", headers={**RECALLL_OWNER, **headers}))


def test_reset_of_default_leaves_every_seeds_sandbox() -> None:
    """A seed's world is the sandbox `seed-<n>`: a reset of `default` used to drop it
    with its state; now each sandbox is reset on its own, by `X-Mock-Sandbox`.
    """
    stores = load_stores(42)
    seven = {"X-Mock-Seed": "7"}
    with TestClient(create_app(stores, Settings(control_token=TOKEN))) as client:
        _recalll_cancels(client)
        _ok(client.post(f"{RAZORPAY}/cancel", headers={**RECALLL_OWNER, **seven}))

        _ok(client.post(f"{BASE}/reset", headers=CONTROL))

        assert _me(client)["cancelAtCycleEnd"] is False
        assert _me(client, **seven)["cancelAtCycleEnd"] is True
        assert [name for name, _ in stores.listing()] == ["default", "seed-7"]

        _ok(client.post(f"{BASE}/reset", headers={**CONTROL, "X-Mock-Sandbox": "seed-7"}))

        assert _me(client, **seven)["cancelAtCycleEnd"] is False


def test_reset_repeats_a_fresh_servers_pattern_of_faults() -> None:
    """The fault and latency draws start again with a reset, as on a fresh server."""
    settings = Settings(control_token=TOKEN, fault="500", fault_rate=0.5)
    with TestClient(create_app(load_stores(42), settings)) as client:
        fresh = [
            client.get(f"{RAZORPAY}/subscription/me", headers=RECALLL_OWNER).status_code
            for _ in range(40)
        ]
        _ok(client.post(f"{BASE}/reset", headers=CONTROL))
        again = [
            client.get(f"{RAZORPAY}/subscription/me", headers=RECALLL_OWNER).status_code
            for _ in range(40)
        ]
    assert set(fresh) == {200, 500}
    assert again == fresh


# --- scenarios -----------------------------------------------------------------------


def test_scenarios_are_listed_with_their_descriptions(client: TestClient) -> None:
    body = _ok(client.get(f"{BASE}/scenarios", headers=CONTROL))
    assert body == {
        "scenarios": [
            {"name": scenario.name, "description": scenario.description}
            for scenario in SCENARIOS.values()
        ]
    }
    assert body["scenarios"], "the mock defines at least one scenario"


# --- the control token ---------------------------------------------------------------


def test_a_wrong_token_is_401(client: TestClient) -> None:
    response = client.post(f"{BASE}/reset", headers={"X-Mock-Control-Token": "test-tokem"})
    assert _error(response, 401) == "Invalid control token"


def test_no_token_is_401(client: TestClient) -> None:
    message = _error(client.post(f"{BASE}/reset"), 401)
    assert message == "Control token required: send the X-Mock-Control-Token header"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {OPS['bearer']}"},
        {"Authorization": f"jwt {OPS['jwt']}"},
        _key("ops@unpod.dev", "recalll.co"),
        {"X-Mock-Control-Token": _key("ops@unpod.dev", "recalll.co")["X-API-Key"]},
        {"X-Mock-Control-Token": OPS["bearer"]},
    ],
    ids=["bearer", "jwt", "x-api-key", "api-key-as-token", "bearer-as-token"],
)
def test_an_api_credential_cannot_reset(client: TestClient, headers: dict[str, str]) -> None:
    _recalll_cancels(client)
    _error(client.post(f"{BASE}/reset", headers=headers), 401)
    assert _state(client, "recalll.co")["subscription"]["cancelAtPeriodEnd"] is True


@pytest.mark.parametrize("host", ["127.0.0.1", "127.42.0.9", "::1", "::ffff:127.0.0.1"])
def test_without_a_configured_token_loopback_callers_get_in_with_any_value(
    tokenless: AsyncApp, host: str
) -> None:
    with TestClient(tokenless, client=(host, 50000), base_url="http://localhost") as client:
        response = client.get(f"{BASE}/scenarios", headers={"X-Mock-Control-Token": "local"})
        assert response.status_code == 200, response.text
        # connexion refuses a missing header before the token is looked at.
        _error(client.get(f"{BASE}/scenarios"), 401)


@pytest.mark.parametrize("host", ["10.0.0.7", "192.168.1.20", "2001:db8::1", "testclient"])
def test_without_a_configured_token_other_callers_are_403(tokenless: AsyncApp, host: str) -> None:
    with TestClient(tokenless, client=(host, 50000)) as client:
        response = client.post(f"{BASE}/reset", headers={"X-Mock-Control-Token": "local"})
        message = _error(response, 403)
        assert message.startswith("No control token is configured")
