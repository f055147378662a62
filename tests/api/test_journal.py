"""The request journal (`GET` and `DELETE /__mock/requests`) and the fixtures' credentials
(`GET /__mock/credentials`) over HTTP: what is recorded and what not, the filters, the
bound, masking, clearing, and that every credential listed works where it says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from connexion import AsyncApp
from starlette.testclient import TestClient

from billing_mock.apis.control.wire import CREDENTIAL_APIS
from billing_mock.apis.registry import APIS
from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.server.routing import Capability
from billing_mock.settings import Settings
from tests.conftest import fixture_users

TOKEN = "journal-test-token"
CONTROL = {"X-Mock-Control-Token": TOKEN}
USERS = fixture_users()
PRIYA = USERS["priya.sharma@recalll.co"]
PRIYA_KEY = PRIYA["memberships"][0]["api_key"]
PRIYA_SESSION = PRIYA["memberships"][0]["session"]
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
ME = "/api/billing/subscription/me"
UNPOD = "/api/v2/platform/organisation/billing/"


def _app(**settings: Any) -> AsyncApp:
    return create_app(
        load_stores(42), Settings(control_token=TOKEN, **settings), validate_responses=True
    )


@pytest.fixture(scope="module")
def served() -> AsyncApp:
    return _app()


@pytest.fixture
def client(served: AsyncApp) -> Iterator[TestClient]:
    with TestClient(served, base_url="http://127.0.0.1:8000") as client:
        assert client.delete("/__mock/requests", headers=CONTROL).status_code == 204
        yield client


def _journal(client: TestClient, **filters: Any) -> list[dict[str, Any]]:
    response = client.get("/__mock/requests", params=filters, headers=CONTROL)
    assert response.status_code == 200, response.text
    requests: list[dict[str, Any]] = response.json()["requests"]
    return requests


def _me(client: TestClient, **headers: str) -> Any:
    return client.get(ME, headers={"X-API-Key": PRIYA_KEY, **headers})


# --- what is recorded ------------------------------------------------------------------


def test_a_vendor_request_is_recorded_with_its_answer(client: TestClient) -> None:
    answer = client.get(
        f"{ME}?a=1", headers={"X-API-Key": PRIYA_KEY, "X-Mock-Scenario": "expired-card"}
    )
    [entry] = _journal(client)
    assert entry["id"] >= 1
    assert entry["receivedAt"].endswith("Z")
    assert len(entry["receivedAt"]) == 24
    assert (entry["method"], entry["path"], entry["query"], entry["status"]) == (
        "GET",
        ME,
        "a=1",
        200,
    )
    assert entry["latencyMs"] >= 0
    assert (entry["sandbox"], entry["scenario"]) == ("default", "expired-card")
    assert entry["credential"] == {"kind": "apiKey", "masked": "bmk_30ad…a9ad"}
    sent = {pair["name"]: pair["value"] for pair in entry["request"]["headers"]}
    assert sent["x-api-key"] == "bmk_30ad…a9ad"
    assert sent["x-mock-scenario"] == "expired-card"
    assert entry["request"]["body"] == {
        "mediaType": None,
        "size": 0,
        "truncated": False,
        "text": "",
    }
    body = entry["response"]["body"]
    assert (body["mediaType"], body["size"], body["truncated"]) == (
        "application/json",
        len(answer.content),
        False,
    )
    assert json.loads(body["text"]) == answer.json()


def test_the_control_api_the_dashboard_and_the_docs_are_not_recorded(client: TestClient) -> None:
    for path in (
        "/",
        "/dashboard/app.js",
        "/dashboard/style.css",
        "/openapi/razorpay-billing.yaml",
        "/api/billing/ui/",
        "/api/billing/openapi.json",
        "/__mock/scenarios",
        "/__mock/requests",
    ):
        assert client.get(path, headers=CONTROL).status_code == 200, path
    assert _journal(client) == []


def test_errors_cache_hits_and_dropped_connections_are_recorded(client: TestClient) -> None:
    assert client.get(ME).status_code == 401
    for _ in range(2):  # the second is answered by the response cache
        assert _me(client).status_code == 200
    dropped = _me(client, **{"X-Mock-Fault": "drop"})
    assert len(dropped.content) < int(dropped.headers["content-length"])  # cut short
    statuses = [entry["status"] for entry in _journal(client)]
    assert statuses == [0, 200, 200, 401]


def test_newest_first_ids_count_up_and_survive_a_clear(client: TestClient) -> None:
    for _ in range(3):
        _me(client)
    ids = [entry["id"] for entry in _journal(client)]
    assert ids == sorted(ids, reverse=True)
    assert ids[0] - ids[-1] == 2
    assert client.delete("/__mock/requests", headers=CONTROL).status_code == 204
    assert _journal(client) == []
    _me(client)
    assert _journal(client)[0]["id"] == ids[0] + 1


# --- filters -----------------------------------------------------------------------------


def test_filters_by_sandbox_method_path_status_after_and_limit(client: TestClient) -> None:
    _me(client)
    _me(client, **{"X-Mock-Sandbox": "journal-a"})
    _me(client, **{"X-Mock-Seed": "7"})
    _me(client, **{"X-Mock-Seed": "42"})  # the server's seed: default
    client.post(
        "/api/billing/cancel", headers={"X-API-Key": PRIYA_KEY, "X-Mock-Sandbox": "journal-a"}
    )
    client.get(
        UNPOD, headers={"Authorization": f"Token {PRIYA['api_token']}"}
    )  # 400: no Org-Handle

    def paths(**filters: Any) -> list[tuple[str, str, int]]:
        return [(e["method"], e["sandbox"], e["status"]) for e in _journal(client, **filters)]

    assert paths(sandbox="journal-a") == [("POST", "journal-a", 200), ("GET", "journal-a", 200)]
    assert paths(sandbox="seed-7") == [("GET", "seed-7", 200)]
    assert paths(sandbox="seed-42") == paths(sandbox="default")
    assert len(paths(sandbox="default")) == 3
    assert paths(method="POST") == [("POST", "journal-a", 200)]
    assert [e["path"] for e in _journal(client, path="/api/v2")] == [UNPOD]
    assert paths(status="400") == paths(status="4xx") == [("GET", "default", 400)]
    assert len(paths(status="2xx")) == 5
    assert paths(status="500") == []
    newest = _journal(client)
    assert [e["id"] for e in _journal(client, after=newest[2]["id"])] == [
        e["id"] for e in newest[:2]
    ]
    assert [e["id"] for e in _journal(client, limit=2)] == [e["id"] for e in newest[:2]]


@pytest.mark.parametrize(
    "query",
    ["status=teapot", "status=6xx", "method=get", "path=api", "sandbox=Bad", "limit=0", "after=-1"],
)
def test_a_malformed_filter_is_400(client: TestClient, query: str) -> None:
    response = client.get(f"/__mock/requests?{query}", headers=CONTROL)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error"}


def test_clearing_one_sandbox_keeps_the_others(client: TestClient) -> None:
    _me(client, **{"X-Mock-Sandbox": "journal-b"})
    _me(client)
    response = client.delete("/__mock/requests?sandbox=journal-b", headers=CONTROL)
    assert response.status_code == 204
    assert [entry["sandbox"] for entry in _journal(client)] == ["default"]


# --- bounded -------------------------------------------------------------------------


def test_the_journal_keeps_only_its_size_the_oldest_going_first() -> None:
    with TestClient(_app(journal_size=3), base_url="http://127.0.0.1:8000") as client:
        for index in range(5):
            client.get(f"{ME}?n={index}", headers={"X-API-Key": PRIYA_KEY})
        listed = client.get("/__mock/requests", headers=CONTROL).json()
        assert listed["capacity"] == 3
        assert [entry["query"] for entry in listed["requests"]] == ["n=4", "n=3", "n=2"]


def test_a_journal_of_size_0_keeps_nothing() -> None:
    with TestClient(_app(journal_size=0), base_url="http://127.0.0.1:8000") as client:
        assert _me(client).status_code == 200
        assert client.get("/__mock/requests", headers=CONTROL).json() == {
            "requests": [],
            "capacity": 0,
        }


def test_bodies_are_cut_to_4_kib_and_binary_ones_only_described(client: TestClient) -> None:
    note = "x" * 6000
    client.patch(
        "/api/billing/subscription/sub_SwSd6R9tXWNJlE",
        json={"notes": {"big": note}},
        headers={"X-API-Key": USERS["ops@unpod.dev"]["memberships"][0]["api_key"]},
    )
    body = _journal(client)[0]["request"]["body"]
    assert body["size"] > 6000
    assert body["truncated"] is True
    assert len(body["text"].encode()) <= 4096
    assert body["text"].startswith('{"notes"')
    pdf = _pdf(client)
    response = _journal(client)[0]["response"]
    assert response["body"] == {
        "mediaType": "application/pdf",
        "size": len(pdf),
        "truncated": False,
        "text": None,
    }


def _pdf(client: TestClient) -> bytes:
    """An invoice PDF: the Stripe-backed API's link to it (a capability URL, no token)."""
    details = client.get(
        f"/v1/organizations/{RECALLL_ID}/stripe/billing-details",
        headers={"Authorization": f"Bearer {PRIYA['bearer']}"},
    ).json()
    response = client.get(details["invoices"][0]["invoicePdf"])
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def test_the_answer_passes_through_unchanged() -> None:
    off, on = _app(journal_size=0), _app()
    answers = []
    for app in (off, on):
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            pdf = _pdf(client)
            me = _me(client)
            answers.append((pdf, me.status_code, me.content, dict(me.headers)))
    assert answers[0] == answers[1]


# --- masking -------------------------------------------------------------------------


def test_no_secret_is_shown_in_full(client: TestClient) -> None:
    user = USERS["dana.lee@northwind.io"]
    client.get(UNPOD, headers={"Authorization": f"jwt {user['jwt']}", "Org-Handle": "northwind.io"})
    client.get(UNPOD, headers={"Authorization": f"Token {user['api_token']}", "Org-Handle": "x.io"})
    client.get(
        f"/v1/organizations/{RECALLL_ID}/stripe/billing-details",
        headers={"Authorization": f"Bearer {PRIYA['bearer']}"},
    )
    client.get(ME, headers={"Cookie": f"theme=dark; session={PRIYA_SESSION}"})
    client.get(ME, headers={"Authorization": "Bearer an-unknown-token-of-some-length-123456"})
    # A known secret where no header rule applies: in a body, echoed in an error message.
    client.post(
        "/api/billing/checkout",
        json={"planId": "growth", "billingCycle": "monthly", "couponCode": PRIYA_KEY},
        headers={"X-API-Key": PRIYA_KEY, "X-Mock-Control-Token": TOKEN},
    )
    listed = client.get("/__mock/requests", headers=CONTROL).text
    for secret in (
        user["jwt"],
        user["api_token"],
        PRIYA["bearer"],
        PRIYA_SESSION,
        PRIYA_KEY,
        "an-unknown-token-of-some-length-123456",
        TOKEN,
    ):
        assert secret not in listed
    kinds = [entry["credential"]["kind"] for entry in _journal(client) if entry["credential"]]
    assert kinds == ["apiKey", "bearer", "session", "bearer", "token", "jwt"]
    cookie = next(
        pair["value"]
        for pair in _journal(client, path=ME)[1]["request"]["headers"]
        if pair["name"] == "cookie"
    )
    assert cookie == "theme=…; session=sess_618…6afd"
    assert "bmk_30ad…a9ad" in _journal(client, method="POST")[0]["request"]["body"]["text"]


# --- protected -----------------------------------------------------------------------


def test_the_journal_takes_the_control_token(client: TestClient) -> None:
    for method in ("GET", "DELETE"):
        assert client.request(method, "/__mock/requests").status_code == 401
        wrong = {"X-Mock-Control-Token": "wrong"}
        assert client.request(method, "/__mock/requests", headers=wrong).status_code == 401
        # A vendor API's credential is no control token.
        assert (
            client.request(method, "/__mock/requests", headers={"X-API-Key": PRIYA_KEY}).status_code
            == 401
        )


def test_without_a_token_only_loopback_reaches_the_journal() -> None:
    with TestClient(create_app(load_stores(42))) as client:  # the test client's host is no IP
        response = client.get("/__mock/requests", headers={"X-Mock-Control-Token": "local"})
        assert response.status_code == 403


# --- the credentials -----------------------------------------------------------------


def test_credentials_list_every_organisation_and_member_in_order(client: TestClient) -> None:
    listed = client.get("/__mock/credentials", headers=CONTROL)
    assert listed.status_code == 200
    organisations = listed.json()["organisations"]
    assert [org["handle"] for org in organisations] == [
        "recalll.co",
        "northwind.io",
        "tinylabs.dev",
        "sakura.jp",
        "lumen.studio",
    ]
    recalll = organisations[0]
    assert [(m["role"], m["email"]) for m in recalll["members"]] == [
        ("owner", "priya.sharma@recalll.co"),
        ("admin", "arjun.mehta@recalll.co"),
        ("member", "neha.iyer@recalll.co"),
        ("super_admin", "ops@unpod.dev"),
    ]
    priya = {c["kind"]: c for c in recalll["members"][0]["credentials"]}
    assert priya["apiKey"] == {
        "kind": "apiKey",
        "apis": ["razorpay"],
        "header": "X-API-Key",
        "value": PRIYA_KEY,
        "also": {},
        "masked": "bmk_30ad…a9ad",
    }
    assert priya["jwt"]["value"] == f"jwt {PRIYA['jwt']}"
    assert priya["jwt"]["also"] == {"Org-Handle": "recalll.co"}
    assert priya["session"]["value"] == f"session={PRIYA_SESSION}"


PROBES = {
    "unpod": lambda org: UNPOD,
    "stripe": lambda org: f"/v1/organizations/{org['id']}/stripe/billing-details",
    "cognita": lambda org: f"/api/orgs/{org['id']}/billing",
    "razorpay": lambda org: ME,
}


def test_every_credential_listed_works_on_every_api_it_names(client: TestClient) -> None:
    organisations = client.get("/__mock/credentials", headers=CONTROL).json()["organisations"]
    tried = 0
    for org in organisations:
        for member in org["members"]:
            for credential in member["credentials"]:
                headers = {credential["header"]: credential["value"], **credential["also"]}
                for api in credential["apis"]:
                    response = client.get(PROBES[api](org), headers=headers)
                    assert response.status_code == 200, (org["handle"], member["email"], api)
                    tried += 1
    assert tried > 100


def test_the_credentials_name_exactly_the_journaled_apis() -> None:
    journaled = {api.name for api in APIS if api.takes_part_in(Capability.JOURNAL)}
    assert journaled == CREDENTIAL_APIS == set(PROBES)
