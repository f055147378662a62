"""The bytes every API answers stay what they were before the speed work (issue 20): a
digest of a fixed sequence of reads, over state changes and two origins, asked past the
response cache (`Cache-Control: no-cache`, the full pipeline) and through it (a miss, then
a hit), all three giving the same bytes.

When a change alters a response on purpose, print the new digest with
`pytest tests/api/test_response_digest.py -s` and say in the commit why it changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.settings import Settings
from tests.conftest import fixture_users

DIGEST = "2c43c555e78070b221bcd564912fa9907096e4cf60679cd1e359963aee865084"
"""sha256 over every (request, status, content type, body) of `_sequence`, recorded on
659a67b (before the render-once and connexion-call changes)."""

CONTROL = {"X-Mock-Control-Token": "digest"}
ORGANISATIONS = {
    "recalll.co": "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f",
    "northwind.io": "7d2e9c41-5a3b-4f8e-b6d0-2c9a8e1f4b73",
    "sakura.jp": "9a4f3c2b-6e1d-4b8a-a7c5-3d2e1f0b9c86",
    "lumen.studio": "5e8d1c7a-3b2f-4e6d-9a1c-8f7b2d4e6a31",
}
ORIGINS = ("http://127.0.0.1:8000", "http://billing.example:9000")
"""Two origins: hosted invoice links carry the one a request came to."""


def _reads(users: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, str]]]:
    """Each API's main reads (and a few more) for owners, an admin and a member."""
    ops = {"Authorization": f"Bearer {users['ops@unpod.dev']['bearer']}"}
    for handle, org_id in ORGANISATIONS.items():
        for query in ("?page=1&page_size=20", "?page=2&page_size=5", ""):
            owner = next(u for u in users.values() if u["memberships"][0]["organisation"] == handle)
            yield (
                f"/api/v2/platform/organisation/billing/{query}",
                {"Authorization": f"jwt {owner['jwt']}", "Org-Handle": handle},
            )
        yield f"/v1/organizations/{org_id}/stripe/billing-details", ops
        yield f"/api/orgs/{org_id}/billing", ops
        yield f"/api/orgs/{org_id}/billing", {**ops, "X-Mock-Scenario": "failed-payment"}
    for email in ("priya.sharma@recalll.co", "neha.iyer@recalll.co", "clara.novak@lumen.studio"):
        key = {"X-API-Key": users[email]["memberships"][0]["api_key"]}
        yield "/api/billing/subscription/me", key
        yield "/api/billing/payments/export", key
    super_admin = {"X-API-Key": users["ops@unpod.dev"]["memberships"][0]["api_key"]}
    yield "/api/billing/subscription?page=1&page_size=2", super_admin


def _record(digest: Any, label: str, response: Any) -> bytes:
    digest.update(
        f"{label} {response.status_code} {response.headers.get('content-type')}\n".encode()
    )
    digest.update(response.content)
    return bytes(response.content)


def _read_all(client: TestClient, users: dict[str, dict[str, Any]], digest: Any) -> None:
    """Every read three ways (refusals included: a page past the end, a member's export); the
    bytes must agree.
    """
    for path, headers in _reads(users):
        full = client.get(path, headers={**headers, "Cache-Control": "no-cache"})
        miss, hit = client.get(path, headers=headers), client.get(path, headers=headers)
        assert full.status_code < 500, (path, full.text[:300])
        body = _record(digest, f"{client.base_url} {path} {sorted(headers.items())}", full)
        assert miss.content == body == hit.content, path
        assert miss.headers.get("content-type") == full.headers.get("content-type")


def _sequence(users: dict[str, dict[str, Any]]) -> str:
    stores = load_stores(42)
    app = create_app(stores, Settings(control_token=CONTROL["X-Mock-Control-Token"]))
    digest = hashlib.sha256()
    clara = {"X-API-Key": users["clara.novak@lumen.studio"]["memberships"][0]["api_key"]}
    priya = {"X-API-Key": users["priya.sharma@recalll.co"]["memberships"][0]["api_key"]}
    for origin in ORIGINS:
        stores.default.reset()
        with TestClient(app, base_url=origin) as client:
            _read_all(client, users, digest)
            checkout = {"planId": "growth", "billingCycle": "monthly"}
            assert client.post("/api/billing/checkout", headers=clara, json=checkout).is_success
            change = client.post(
                "/api/billing/plan-change", headers=priya, json={"planId": "scale"}
            )
            _record(digest, "plan-change", change)
            _read_all(client, users, digest)
            moved = client.post("/__mock/clock", headers=CONTROL, json={"advance": "P1M"})
            assert moved.status_code == 200, moved.text
            _read_all(client, users, digest)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def recorded() -> str:
    return _sequence(fixture_users())


def test_the_full_pipeline_and_the_cache_answer_the_bytes_recorded(recorded: str) -> None:
    print(f"\nresponse digest: {recorded}")
    assert recorded == DIGEST
