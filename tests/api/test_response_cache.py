"""The response cache inside the served app: hits skip the handler, writes are seen at
once, steering and credentials never share an entry, CORS still applies to hits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from billing_mock.domain.store import Store
from tests.conftest import fixture_users

USERS = fixture_users()
PRIYA = USERS["priya.sharma@recalll.co"]
UNPOD_URL = "/api/v2/platform/organisation/billing/"
UNPOD = {"Authorization": f"jwt {PRIYA['jwt']}", "Org-Handle": "recalll.co"}
ME = "/api/billing/subscription/me"


def _key(email: str, org: str) -> dict[str, str]:
    membership = next(m for m in USERS[email]["memberships"] if m["organisation"] == org)
    return {"X-API-Key": membership["api_key"]}


RECALLL_OWNER = _key("priya.sharma@recalll.co", "recalll.co")
LUMEN_OWNER = _key("clara.novak@lumen.studio", "lumen.studio")


@pytest.fixture
def account_reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every `Store.account` call from here on: what a handler does to answer a read."""
    reads: list[str] = []
    read: Callable[[str], Any] = store.account

    def counted(handle: str) -> Any:
        reads.append(handle)
        return read(handle)

    monkeypatch.setattr(store, "account", counted)
    return reads


def test_a_repeated_read_skips_the_handler_and_gives_the_same_bytes(
    client: TestClient, account_reads: list[str]
) -> None:
    first = client.get(UNPOD_URL, params={"page_size": 20}, headers=UNPOD)
    reads = len(account_reads)
    second = client.get(UNPOD_URL, params={"page_size": 20}, headers=UNPOD)
    assert first.status_code == second.status_code == 200
    assert reads > 0
    assert len(account_reads) == reads
    assert first.content == second.content
    assert first.headers["content-type"] == second.headers["content-type"]


def test_no_cache_runs_the_whole_pipeline_again(
    client: TestClient, account_reads: list[str]
) -> None:
    first = client.get(UNPOD_URL, headers=UNPOD)
    reads = len(account_reads)
    fresh = client.get(UNPOD_URL, headers={**UNPOD, "Cache-Control": "no-cache"})
    assert len(account_reads) > reads
    assert fresh.content == first.content


def test_a_write_is_seen_by_the_next_read(client: TestClient) -> None:
    before = client.get(ME, headers=RECALLL_OWNER).json()
    assert before["cancelAtCycleEnd"] is False
    cancelled = client.post("/api/billing/cancel", headers=RECALLL_OWNER)
    assert cancelled.status_code == 200, cancelled.text
    after = client.get(ME, headers=RECALLL_OWNER).json()
    assert after == cancelled.json()
    assert after["cancelAtCycleEnd"] is True


def test_each_credential_gets_its_own_answer(client: TestClient) -> None:
    recalll = client.get(ME, headers=RECALLL_OWNER)
    lumen = client.get(ME, headers=LUMEN_OWNER)
    assert (recalll.json()["status"], lumen.json()["status"]) == ("active", "cancelled")
    assert client.get(ME, headers={"X-API-Key": "bmk_unknown"}).status_code == 401
    assert client.get(ME, headers=RECALLL_OWNER).json() == recalll.json()


def test_a_scenario_request_does_not_change_the_plain_answer(client: TestClient) -> None:
    plain = client.get(UNPOD_URL, headers=UNPOD)
    steered = client.get(UNPOD_URL, headers={**UNPOD, "X-Mock-Scenario": "failed-payment"})
    assert steered.content != plain.content
    assert client.get(UNPOD_URL, headers=UNPOD).content == plain.content


def test_a_hit_carries_the_cors_headers_of_its_own_origin(client: TestClient) -> None:
    for origin in ("http://localhost:3000", "http://localhost:5173", "http://localhost:3000"):
        response = client.get(UNPOD_URL, headers={**UNPOD, "Origin": origin})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == origin
    refused = client.get(UNPOD_URL, headers={**UNPOD, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in refused.headers


def test_a_get_with_a_body_is_never_answered_from_the_cache(client: TestClient) -> None:
    """A body is not in the key, and the body checks can refuse one: such a GET must not
    be kept, nor be answered with what another body got.
    """
    bad, good = "[" * 2000 + "]" * 2000, " " * 3998 + "{}"
    headers = {**RECALLL_OWNER, "Content-Type": "application/json"}
    assert client.request("GET", ME, content=bad, headers=headers).status_code == 400
    assert client.request("GET", ME, content=good, headers=headers).status_code == 200
