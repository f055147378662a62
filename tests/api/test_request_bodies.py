"""Request bodies: too large is 413, without a Content-Type 415, JSON Python cannot hold 400,
each in the API's own envelope, with nothing changed and nothing echoed at length.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.domain.store import Store
from billing_mock.server.errors import MAX_MESSAGE
from billing_mock.settings import Settings
from tests.conftest import fixture_users

USERS = fixture_users()
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
OWNER = {"X-API-Key": USERS["priya.sharma@recalll.co"]["memberships"][0]["api_key"]}
BEARER = {"Authorization": f"Bearer {USERS['priya.sharma@recalll.co']['bearer']}"}
SUBSCRIPTION = "/api/billing/subscription/me"

# (method, path, credentials, a body the operation accepts, the envelope's message key)
BODIES = [
    ("POST", "/api/billing/checkout", OWNER, {"planId": "growth", "billingCycle": "monthly"}),
    ("POST", "/api/billing/plan-change", OWNER, {"planId": "scale"}),
    ("POST", "/api/billing/cancel", OWNER, {"cancelAtCycleEnd": False}),
    (
        "POST",
        f"/api/orgs/{RECALLL_ID}/billing/plan",
        BEARER,
        {"planId": "scale", "billingCycle": "yearly"},
    ),
]
IDS = [path for _, path, _, _ in BODIES]
LIMIT = 2048


@pytest.fixture(scope="module")
def small() -> Iterator[TestClient]:
    """A server that takes bodies of at most LIMIT bytes."""
    with TestClient(create_app(load_stores(42), Settings(max_body=LIMIT))) as client:
        yield client


def _message(response: Any) -> str:
    """The message of any of the APIs' error envelopes."""
    body = response.json()
    found = body.get("error", body)
    return str(found.get("description") or found.get("message"))


def _unchanged(client: TestClient, before: dict[str, Any]) -> None:
    assert client.get(SUBSCRIPTION, headers=OWNER).json() == before


@pytest.mark.parametrize(("method", "path", "headers", "body"), BODIES, ids=IDS)
def test_a_body_over_the_limit_is_413_before_it_is_read(
    small: TestClient, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
) -> None:
    before = small.get(SUBSCRIPTION, headers=OWNER).json()
    padded = {**body, "notes": "x" * LIMIT}
    response = small.request(method, path, json=padded, headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert str(LIMIT) in _message(response)
    _unchanged(small, before)


def test_a_streamed_body_over_the_limit_is_413(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    response = small.post(
        "/api/billing/checkout",
        content=chunks(),
        headers={**OWNER, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(("method", "path", "headers", "body"), BODIES, ids=IDS)
def test_a_body_without_a_content_type_is_415_and_changes_nothing(
    client: TestClient, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
) -> None:
    before = client.get(SUBSCRIPTION, headers=OWNER).json()
    response = client.request(method, path, content=json.dumps(body), headers=headers)
    assert response.status_code == 415
    assert "Content-Type" in _message(response)
    _unchanged(client, before)


def test_patching_a_subscription_without_a_content_type_is_415(client: TestClient) -> None:
    ops = {"X-API-Key": USERS["ops@unpod.dev"]["memberships"][0]["api_key"]}
    current = client.get(SUBSCRIPTION, headers=ops).json()
    response = client.patch(
        f"/api/billing/subscription/{current['id']}",
        content=json.dumps({"notes": {"a": "b"}}),
        headers=ops,
    )
    assert response.status_code == 415
    assert client.get(SUBSCRIPTION, headers=ops).json() == current


@pytest.mark.parametrize(
    "raw",
    ["[" * 10_000 + "]" * 10_000, '{"planId": ' + "1" * 5_000 + "}"],
    ids=["nested 10000 deep", "5000-digit integer"],
)
@pytest.mark.parametrize(("method", "path", "headers", "body"), BODIES, ids=IDS)
def test_json_python_cannot_hold_is_400(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any],
    raw: str,
) -> None:
    response = client.request(
        method, path, content=raw, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert _message(response).startswith("Malformed request body")


def test_echoed_input_is_cut_short(client: TestClient) -> None:
    response = client.post(
        "/api/billing/checkout",
        json={"planId": "growth", "billingCycle": "monthly", "couponCode": "Z" * 100_000},
        headers=OWNER,
    )
    assert 400 <= response.status_code < 500
    assert len(_message(response)) <= MAX_MESSAGE
    assert len(response.content) < 2 * MAX_MESSAGE


@pytest.mark.parametrize(("method", "path", "headers", "body"), BODIES, ids=IDS)
def test_a_media_type_in_another_letter_case_is_json_all_the_same(
    client: TestClient,
    store: Store,
    method: str,
    path: str,
    headers: dict[str, str],
    body: dict[str, Any],
) -> None:
    """RFC 9110: media types are case-insensitive; connexion compares them as written."""
    typed = {**headers, "Content-Type": "Application/JSON; Charset=UTF-8"}
    response = client.request(method, path, content=json.dumps(body), headers=typed)
    store.reset()
    plain = client.request(method, path, json=body, headers=headers)
    assert (response.status_code, response.json()) == (plain.status_code, plain.json())


def test_cancel_now_in_another_letter_case_cancels_now(client: TestClient) -> None:
    response = client.post(
        "/api/billing/cancel",
        content=json.dumps({"cancelAtCycleEnd": False}),
        headers={**OWNER, "Content-Type": "APPLICATION/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize("depth", [200, 900, 950, 990, 5_000])
def test_json_nested_near_the_recursion_limit_is_400_not_500(
    client: TestClient, depth: int
) -> None:
    response = client.post(
        "/api/billing/checkout",
        content="[" * depth + "]" * depth,
        headers={**OWNER, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
