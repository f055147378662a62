"""The billing clock over HTTP: `/__mock/clock` and `/__mock/events`, and what every
vendor API shows after a move, per sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from connexion import AsyncApp
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import Stores, load_stores
from billing_mock.settings import Settings
from tests.conftest import fixture_users

TOKEN = "test-token"
CONTROL = {"X-Mock-Control-Token": TOKEN}
USERS = fixture_users()
OPS = USERS["ops@unpod.dev"]
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"


def _key(email: str, org: str) -> dict[str, str]:
    membership = next(m for m in USERS[email]["memberships"] if m["organisation"] == org)
    return {"X-API-Key": membership["api_key"]}


RECALLL_OWNER = _key("priya.sharma@recalll.co", "recalll.co")
TINYLABS_OWNER = _key("sam@tinylabs.dev", "tinylabs.dev")


@pytest.fixture(scope="module")
def served() -> tuple[Stores, AsyncApp]:
    stores = load_stores(42)
    return stores, create_app(stores, Settings(control_token=TOKEN), validate_responses=True)


@pytest.fixture
def client(served: tuple[Stores, AsyncApp]) -> Iterator[TestClient]:
    stores, app = served
    stores.reset()
    for name, _ in stores.listing()[1:]:
        stores.delete(name)
    with TestClient(app) as client:
        yield client


def _move(client: TestClient, sandbox: str | None, body: dict[str, Any]) -> Any:
    headers = {**CONTROL, **({"X-Mock-Sandbox": sandbox} if sandbox else {})}
    return client.post("/__mock/clock", json=body, headers=headers)


def _read_all(client: TestClient, sandbox: str) -> dict[str, Any]:
    """recalll.co as each of the four APIs shows it in `sandbox`."""
    box = {"X-Mock-Sandbox": sandbox}
    bearer = {"Authorization": f"Bearer {OPS['bearer']}", **box}
    unpod = client.get(
        "/api/v2/platform/organisation/billing/?page_size=3",
        headers={"Authorization": f"jwt {OPS['jwt']}", "Org-Handle": "recalll.co", **box},
    )
    stripe = client.get(f"/v1/organizations/{RECALLL_ID}/stripe/billing-details", headers=bearer)
    cognita = client.get(f"/api/orgs/{RECALLL_ID}/billing", headers=bearer)
    razorpay = client.get("/api/billing/subscription/me", headers={**RECALLL_OWNER, **box})
    for response in (unpod, stripe, cognita, razorpay):
        assert response.status_code == 200, response.text
    return {
        "unpod": unpod.json(),
        "stripe": stripe.json(),
        "cognita": cognita.json()["data"],
        "razorpay": razorpay.json(),
    }


def test_the_clock_starts_at_the_fixtures_as_of(client: TestClient) -> None:
    response = client.get("/__mock/clock", headers={**CONTROL, "X-Mock-Sandbox": "fresh"})
    assert response.json() == {
        "sandbox": "fresh",
        "now": "2026-11-15T09:30:00Z",
        "start": "2026-11-15T09:30:00Z",
    }


def test_after_a_renewal_every_api_shows_the_new_invoice_and_period(client: TestClient) -> None:
    before = _read_all(client, "renewal")
    moved = _move(client, "renewal", {"to": "2026-12-12T12:00:00Z"})
    assert moved.status_code == 200, moved.text
    created = [e for e in moved.json()["events"] if e["organisation"] == "recalll.co"]
    assert [e["type"] for e in created][-4:] == [
        "invoice.created",
        "payment.succeeded",
        "invoice.paid",
        "subscription.renewed",
    ]
    reference = created[-4]["invoice"]
    after = _read_all(client, "renewal")
    # Unpod: count + 1, the new invoice first.
    assert after["unpod"]["count"] == before["unpod"]["count"] + 1
    newest = after["unpod"]["data"][0]
    assert (newest["invoice_number"], newest["status"], newest["amount"]) == (
        "INV-00119",
        "paid",
        "942.82",
    )
    assert newest["invoice_date"].startswith("2026-12-12")
    # Stripe-backed and Cognita: the same invoice, in minor units, paid.
    stripe = after["stripe"]["invoices"][0]
    cognita = after["cognita"]["invoices"][0]
    assert stripe["id"] == cognita["invoiceId"] == reference
    assert stripe["total"] == cognita["totalAmount"] == 94282
    assert stripe["status"] == cognita["status"] == "paid"
    # Razorpay-backed: the new period; Cognita's subscription agrees.
    razorpay = after["razorpay"]
    assert (razorpay["status"], razorpay["currentStart"], razorpay["currentEnd"]) == (
        "active",
        "2026-12-12T00:00:00Z",
        "2027-01-12T00:00:00Z",
    )
    subscription = after["cognita"]["currentSubscription"]
    assert (subscription["startDate"], subscription["renewalDate"]) == (
        "2026-12-12T00:00:00.000Z",
        "2027-01-12T00:00:00.000Z",
    )
    assert after["cognita"]["usageSummary"]["period"]["start"] == "2026-12-12T00:00:00.000Z"
    # The default sandbox saw none of it.
    default = client.get("/__mock/clock", headers=CONTROL).json()
    assert default["now"] == "2026-11-15T09:30:00Z"


def test_an_expired_card_goes_from_past_due_to_halted_in_every_api(client: TestClient) -> None:
    made = client.put(
        "/__mock/sandboxes/dunning",
        json={"scenarios": {"recalll.co": "expired-card"}},
        headers=CONTROL,
    )
    assert made.status_code == 201
    _move(client, "dunning", {"to": "2026-12-12T00:00:00Z"})
    past_due = _read_all(client, "dunning")
    assert past_due["razorpay"]["status"] == "pending"
    assert past_due["cognita"]["currentSubscription"]["status"] == "past_due"
    assert past_due["cognita"]["billingAccount"]["status"] == "past_due"
    assert past_due["unpod"]["data"][0]["status"] == "failed"
    assert past_due["stripe"]["invoices"][0]["status"] == "open"

    moved = _move(client, "dunning", {"advance": "P3D"}).json()
    failed = [e for e in moved["events"] if e["type"] == "payment.failed"]
    assert [(e["attempt"], e["reason"], e["at"]) for e in failed] == [
        (2, "expired_card", "2026-12-13T00:00:00Z"),
        (3, "expired_card", "2026-12-14T00:00:00Z"),
        (4, "expired_card", "2026-12-15T00:00:00Z"),
    ]
    assert moved["events"][-1]["type"] == "subscription.unpaid"
    halted = _read_all(client, "dunning")
    assert halted["razorpay"]["status"] == "halted"
    assert halted["cognita"]["currentSubscription"]["status"] == "unpaid"
    assert halted["cognita"]["billingAccount"]["status"] == "suspended"


def test_a_trial_converts_and_the_subscription_shows_its_first_period(
    client: TestClient,
) -> None:
    box = {"X-Mock-Sandbox": "trial"}
    trial = client.get("/api/billing/subscription/me", headers={**TINYLABS_OWNER, **box}).json()
    assert trial["status"] == "authenticated"
    moved = _move(client, "trial", {"to": trial["trialEnd"]}).json()
    kinds = [e["type"] for e in moved["events"] if e["organisation"] == "tinylabs.dev"]
    assert (kinds[0], kinds[-1]) == ("trial.ended", "subscription.activated")
    paid = client.get("/api/billing/subscription/me", headers={**TINYLABS_OWNER, **box}).json()
    assert (paid["status"], paid["currentStart"], paid["trialEnd"]) == (
        "active",
        trial["trialEnd"],
        None,
    )
    assert Decimal(paid["amount"]) == Decimal("499.00")  # Starter, before GST


def test_two_sandboxes_never_see_each_others_moves(client: TestClient) -> None:
    _move(client, "left", {"advance": "P2M"})
    left = _read_all(client, "left")
    right = _read_all(client, "right")
    assert left["unpod"]["count"] == right["unpod"]["count"] + 2
    clock = client.get("/__mock/clock", headers={**CONTROL, "X-Mock-Sandbox": "right"}).json()
    assert clock["now"] == "2026-11-15T09:30:00Z"


def test_the_same_moves_give_the_same_bytes_in_fresh_sandboxes(client: TestClient) -> None:
    answers = []
    for sandbox in ("first", "second"):
        moves = [_move(client, sandbox, {"advance": step}) for step in ("P10D", "P1M")]
        # Every byte but the sandbox's own name, which the answer repeats.
        named = f'"sandbox": "{sandbox}"'.encode()
        bodies = [move.content.replace(named, b"") for move in moves]
        reads = _read_all(client, sandbox)
        # Hosted invoice links name their sandbox too.
        invoices = [
            {k: v for k, v in item.items() if k not in ("hostedInvoiceUrl", "invoicePdf")}
            for item in reads["stripe"]["invoices"]
        ]
        answers.append((bodies, reads["unpod"], invoices, reads["razorpay"], reads["cognita"]))
    assert answers[0] == answers[1]
    assert b"invoice.created" in answers[0][0][1]


def test_events_are_kept_and_filtered_by_organisation(client: TestClient) -> None:
    moved = _move(client, "journal", {"advance": "P1M"}).json()["events"]
    headers = {**CONTROL, "X-Mock-Sandbox": "journal"}
    listed = client.get("/__mock/events", headers=headers).json()["events"]
    assert listed == moved
    mine = client.get("/__mock/events?organisation=recalll.co", headers=headers).json()
    assert mine["events"] == [e for e in moved if e["organisation"] == "recalll.co"]
    unknown = client.get("/__mock/events?organisation=nobody.example", headers=headers)
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"to": "2026-11-01T00:00:00Z"}, 409, "only moves forward"),
        ({"advance": "P11Y"}, 409, "at most ten years"),
        ({"advance": "P9999Y"}, 409, "at most ten years"),
        ({"advance": "P"}, 400, "does not match"),
        ({"advance": "P1DT"}, 400, "does not match"),
        ({"to": "2027-01-01T00:00:00.5Z"}, 400, "does not match"),
        ({"to": "2027-01-01T00:00:00"}, 400, "date-time"),
        ({"advance": "P1D", "to": "2027-01-01T00:00:00Z"}, 400, "too many properties"),
        ({}, 400, "non-empty"),
        ({"advance": "-P1D"}, 400, "does not match"),
    ],
)
def test_a_refused_move_is_a_clear_error_and_changes_nothing(
    client: TestClient, body: dict[str, Any], status: int, message: str
) -> None:
    response = _move(client, "refused", body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    clock = client.get("/__mock/clock", headers={**CONTROL, "X-Mock-Sandbox": "refused"}).json()
    assert clock["now"] == "2026-11-15T09:30:00Z"
    events = client.get("/__mock/events", headers={**CONTROL, "X-Mock-Sandbox": "refused"})
    assert events.json() == {"events": []}


def test_a_reset_puts_the_clock_back(client: TestClient) -> None:
    _move(client, "again", {"advance": "P1M"})
    headers = {**CONTROL, "X-Mock-Sandbox": "again"}
    assert client.post("/__mock/reset", headers=headers).status_code == 200
    assert client.get("/__mock/clock", headers=headers).json()["now"] == "2026-11-15T09:30:00Z"
    assert client.get("/__mock/events", headers=headers).json() == {"events": []}


def test_a_read_cached_before_a_move_is_not_served_after_it(client: TestClient) -> None:
    headers = {"Authorization": f"jwt {OPS['jwt']}", "Org-Handle": "recalll.co"}
    url = "/api/v2/platform/organisation/billing/?page_size=1"
    assert client.get(url, headers=headers).json()["count"] == 17
    assert client.get(url, headers=headers).json()["count"] == 17  # now from the cache
    _move(client, None, {"advance": "P1M"})
    assert client.get(url, headers=headers).json()["count"] == 18
