"""Steering the mock per request: Prefer, scenarios, seeds, latency, faults, CORS, log."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.settings import Settings
from tests.conftest import FIXTURES, OPENAPI, fixture_users

USERS = fixture_users()
PRIYA = USERS["priya.sharma@recalll.co"]
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
UNPOD_URL = "/api/v2/platform/organisation/billing/"
UNPOD = {"Authorization": f"jwt {PRIYA['jwt']}", "Org-Handle": "recalll.co"}
BEARER = {"Authorization": f"Bearer {PRIYA['bearer']}"}
KEY = {"X-API-Key": PRIYA["memberships"][0]["api_key"]}
ME = "/api/billing/subscription/me"


def _responses(spec: str, path: str, method: str) -> dict[str, Any]:
    """The documented responses, read from the contract itself (not through the mock),
    with `$ref`s to shared responses and examples followed.
    """
    document = yaml.safe_load((OPENAPI / spec).read_text())

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                found = document
                for part in node["$ref"].removeprefix("#/").split("/"):
                    found = found[part]
                return resolve(found)
            return {key: resolve(value) for key, value in node.items()}
        return node

    responses: dict[str, Any] = resolve(document["paths"][path][method]["responses"])
    return responses


def _unpod(client: TestClient, **headers: str) -> Any:
    return client.get(UNPOD_URL, headers={**UNPOD, **headers})


# --- Prefer ----------------------------------------------------------------------------


def test_prefer_code_answers_the_documented_body_for_that_status(client: TestClient) -> None:
    response = _unpod(client, Prefer="code=404")
    content = _responses("unpod-billing.yaml", "/organisation/billing/", "get")["404"]["content"]
    media = content["application/json"]
    documented = media.get("example") or next(iter(media["examples"].values()))["value"]
    assert (response.status_code, response.json()) == (404, documented)


def test_prefer_a_success_code_runs_the_handler_on_fixture_data(client: TestClient) -> None:
    assert _unpod(client, Prefer="code=200").json() == _unpod(client).json()


def test_prefer_example_picks_a_named_example(client: TestClient) -> None:
    responses = _responses("razorpay-billing.yaml", "/checkout", "post")
    examples = responses["400"]["content"]["application/json"]["examples"]
    name, example = next(iter(examples.items()))
    body = {"planId": "growth", "billingCycle": "monthly"}
    for prefer in (f"example={name}", f"code=400, example={name}"):
        response = client.post(
            "/api/billing/checkout", json=body, headers={**KEY, "Prefer": prefer}
        )
        assert (response.status_code, response.json()) == (400, example["value"])


def test_prefer_names_what_exists_when_it_cannot_be_met(client: TestClient) -> None:
    unknown = _unpod(client, Prefer="code=418")
    assert unknown.status_code == 400
    assert "documented: 200" in unknown.json()["message"]
    nameless = client.get("/api/billing/subscription/me", headers={**KEY, "Prefer": "example=nope"})
    assert nameless.status_code == 400
    assert "named examples:" in nameless.json()["error"]["description"]


def test_prefer_still_needs_credentials(client: TestClient) -> None:
    assert (
        client.get(
            UNPOD_URL, headers={"Org-Handle": "recalll.co", "Prefer": "code=404"}
        ).status_code
        == 401
    )


# --- scenarios and seeds ---------------------------------------------------------------


def test_a_scenario_shows_the_same_state_in_every_api(client: TestClient) -> None:
    headers = {"X-Mock-Scenario": "failed-payment"}
    unpod = _unpod(client, **headers).json()["data"][0]
    cognita = client.get(f"/api/orgs/{RECALLL_ID}/billing", headers={**BEARER, **headers}).json()
    razorpay = client.get("/api/billing/subscription/me", headers={**KEY, **headers}).json()
    assert unpod["status"] == "failed"
    assert cognita["data"]["currentSubscription"]["status"] == "past_due"
    assert cognita["data"]["invoices"][0]["paidAt"] is None
    assert razorpay["status"] == "pending"
    # Without the header the organisation is as its fixture says.
    assert client.get("/api/billing/subscription/me", headers=KEY).json()["status"] == "active"


def test_an_unknown_scenario_is_400_naming_the_known_ones(client: TestClient) -> None:
    response = _unpod(client, **{"X-Mock-Scenario": "meltdown"})
    assert response.status_code == 400
    assert "failed-payment" in response.json()["message"]


def test_a_seed_per_request_gives_other_data_with_its_own_state(client: TestClient) -> None:
    default, seven = _unpod(client).json(), _unpod(client, **{"X-Mock-Seed": "7"}).json()
    assert seven != default
    assert _unpod(client, **{"X-Mock-Seed": "7"}).json() == seven
    assert _unpod(client, **{"X-Mock-Seed": "42"}).json() == default
    assert _unpod(client, **{"X-Mock-Seed": "minus-one"}).status_code == 400


def test_a_seed_per_request_uses_the_servers_own_fixtures(tmp_path: Path) -> None:
    """Another seed's world is built from the fixtures the server was started with, not
    the shipped ones (a custom `--fixtures` directory used to show only for its own seed).
    """
    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    organisations = tmp_path / "organisations.yaml"
    organisations.write_text(
        organisations.read_text().replace(
            "name: Recalll Technologies Pvt Ltd", "name: Custom Fixture Co"
        ),
    )
    bearer = {"Authorization": f"Bearer {PRIYA['bearer']}"}
    with TestClient(create_app(load_stores(42, tmp_path))) as custom:
        for seed in ("42", "7"):
            response = custom.get(
                f"/api/orgs/{RECALLL_ID}/billing", headers={**bearer, "X-Mock-Seed": seed}
            )
            assert response.status_code == 200
            assert response.json()["data"]["organizationName"] == "Custom Fixture Co", seed


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The seed of every world built from here on (`data.stores.build_store`)."""
    from billing_mock.data import stores

    built: list[int] = []
    build = stores.build_store

    def counted(fixtures: Any, seed: int) -> Any:
        built.append(seed)
        return build(fixtures, seed)

    monkeypatch.setattr(stores, "build_store", counted)
    return built


def test_a_seed_builds_no_world_for_a_request_refused_before_its_handler(
    client: TestClient, builds: list[int]
) -> None:
    """A world is ~110 KB and 21 ms of CPU: 2,000 unauthenticated requests with distinct
    seeds used to build and keep 2,000 of them.
    """
    refused = [
        client.get(UNPOD_URL, headers={"Org-Handle": "recalll.co", "X-Mock-Seed": "1001"}),
        client.get(
            UNPOD_URL, headers={**UNPOD, "Authorization": "jwt nope", "X-Mock-Seed": "1002"}
        ),
        client.get(ME, headers={"X-API-Key": "bmk_unknown", "X-Mock-Seed": "1003"}),
        client.get(f"/api/orgs/{RECALLL_ID}/billing", headers={"X-Mock-Seed": "1004"}),
        client.get(UNPOD_URL, params={"page": 0}, headers={**UNPOD, "X-Mock-Seed": "1005"}),
        _unpod(client, **{"X-Mock-Seed": "1006", "Prefer": "code=404"}),
    ]
    assert [response.status_code for response in refused] == [401, 401, 401, 401, 400, 404]
    assert builds == []
    assert _unpod(client, **{"X-Mock-Seed": "1007"}).status_code == 200
    assert builds == [1007]


def test_a_scenario_is_shown_on_top_of_the_chosen_seed(client: TestClient) -> None:
    seven = _unpod(client, **{"X-Mock-Seed": "7"}).json()["data"]
    both = _unpod(client, **{"X-Mock-Seed": "7", "X-Mock-Scenario": "failed-payment"}).json()
    assert both["data"][0]["status"] == "failed"
    assert both["data"][0]["invoice_number"] == seven[0]["invoice_number"]
    assert both["data"][1:] == seven[1:]


def _cancelling(client: TestClient, seed: str) -> bool:
    me = client.get(ME, headers={**KEY, "X-Mock-Seed": seed})
    assert me.status_code == 200, me.text
    cancelling: bool = me.json()["cancelAtCycleEnd"]
    return cancelling


def test_a_sandbox_is_made_only_for_a_request_that_reaches_its_handler() -> None:
    stores = load_stores(42)
    with TestClient(create_app(stores)) as client:
        refused = [
            client.get(UNPOD_URL, headers={"Org-Handle": "recalll.co", "X-Mock-Sandbox": "a"}),
            client.get(ME, headers={"X-API-Key": "bmk_unknown", "X-Mock-Sandbox": "b"}),
            _unpod(client, **{"X-Mock-Sandbox": "c", "Prefer": "code=404"}),
            _unpod(client, **{"X-Mock-Sandbox": "d", "X-Mock-Seed": "7"}),
            _unpod(client, **{"X-Mock-Sandbox": "Not_A-Name"}),
        ]
        assert [response.status_code for response in refused] == [401, 401, 404, 400, 400]
        assert [name for name, _ in stores.listing()] == ["default"]
        assert _unpod(client, **{"X-Mock-Sandbox": "e"}).status_code == 200
        assert [name for name, _ in stores.listing()] == ["default", "e"]


def test_seed_worlds_are_bounded_and_the_least_recently_used_goes_first() -> None:
    with TestClient(create_app(load_stores(42, max_sandboxes=2))) as client:
        for seed in ("42", "1", "2"):
            cancel = client.post("/api/billing/cancel", headers={**KEY, "X-Mock-Seed": seed})
            assert cancel.status_code == 200, cancel.text
        assert _cancelling(client, "1")  # seed 1 is now the most recently used
        assert not _cancelling(client, "3")  # a third world: seed 2's is evicted
        assert _cancelling(client, "1")
        assert not _cancelling(client, "2"), "an evicted seed's world starts again"
        assert _cancelling(client, "42"), "the default world is never evicted"


# --- latency and faults ----------------------------------------------------------------


def test_latency_is_added_as_asked(client: TestClient) -> None:
    started = time.perf_counter()
    assert _unpod(client, **{"X-Mock-Latency": "300"}).status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    _unpod(client, **{"X-Mock-Latency": "100-150"})
    assert 0.1 <= time.perf_counter() - started < 1.0
    assert _unpod(client, **{"X-Mock-Latency": "soon"}).status_code == 400


def test_an_injected_500_is_in_the_apis_envelope(client: TestClient) -> None:
    response = client.get("/api/billing/subscription/me", headers={**KEY, "X-Mock-Fault": "500"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "SERVER_ERROR"
    assert client.get("/api/billing/subscription/me", headers=KEY).status_code == 200


def test_the_fault_rate_holds_over_many_requests(client: TestClient) -> None:
    headers = {"X-Mock-Fault": "500", "X-Mock-Fault-Rate": "0.3"}
    statuses = [_unpod(client, **headers).status_code for _ in range(400)]
    assert set(statuses) == {200, 500}
    assert 0.24 <= statuses.count(500) / len(statuses) <= 0.36


@pytest.fixture
def faulty() -> Iterator[TestClient]:
    """A server started with a 50% fault rate, as `--fault 500 --fault-rate 0.5` does."""
    settings = Settings(fault="500", fault_rate=0.5)
    with TestClient(create_app(load_stores(42), settings=settings)) as client:
        yield client


def test_a_server_wide_fault_rate_can_be_overridden_per_request(faulty: TestClient) -> None:
    statuses = [_unpod(faulty).status_code for _ in range(200)]
    assert 0.4 <= statuses.count(500) / len(statuses) <= 0.6
    assert {_unpod(faulty, **{"X-Mock-Fault-Rate": "0"}).status_code for _ in range(50)} == {200}


# --- browsers and logs ------------------------------------------------------------------


def test_cors_preflight_from_a_local_dev_server_with_cookies(client: TestClient) -> None:
    preflight = client.options(
        "/api/billing/checkout",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-api-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    error = client.get("/api/billing/subscription/me", headers={"Origin": "http://localhost:5173"})
    assert error.status_code == 401
    assert error.headers["access-control-allow-origin"] == "http://localhost:5173"
    stranger = client.get(UNPOD_URL, headers={**UNPOD, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers


def test_configured_origins_replace_localhost() -> None:
    settings = Settings(cors_origins=("https://app.example",))
    with TestClient(create_app(load_stores(42), settings=settings)) as client:
        allowed = _unpod(client, Origin="https://app.example")
        local = _unpod(client, Origin="http://localhost:3000")
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in local.headers


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_one_log_line_per_request(log_format: str, capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(
        create_app(load_stores(42), settings=Settings(log_format=log_format))
    ) as client:
        capsys.readouterr()
        _unpod(client, **{"X-Mock-Scenario": "expired-card"})
        client.get("/api/billing/subscription/me")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    if log_format == "json":
        first, second = (json.loads(line) for line in lines)
        assert (first["method"], first["path"], first["status"], first["scenario"]) == (
            "GET",
            UNPOD_URL,
            200,
            "expired-card",
        )
        assert (second["status"], second["scenario"]) == (401, None)
        assert isinstance(first["ms"], float)
    else:
        assert lines[0].startswith(f"GET {UNPOD_URL} 200 ")
        assert lines[0].endswith("ms scenario=expired-card")
        assert lines[1].startswith("GET /api/billing/subscription/me 401 ")


def test_the_control_api_is_never_steered() -> None:
    settings = Settings(control_token="t", fault="500", fault_rate=1.0)
    with TestClient(create_app(load_stores(42), settings=settings)) as client:
        control = client.get(
            "/__mock/scenarios", headers={"X-Mock-Control-Token": "t", "X-Mock-Fault": "500"}
        )
        vendor = _unpod(client)
    assert (control.status_code, vendor.status_code) == (200, 500)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_dropped_connection_is_one_log_line_saying_so(
    log_format: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to log a 50-line traceback and the request as a 200."""
    app = create_app(load_stores(42), settings=Settings(log_format=log_format))
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.DEBUG),
    ):
        capsys.readouterr()
        dropped = _unpod(client, **{"X-Mock-Fault": "drop"})
    assert len(dropped.content) < int(dropped.headers["content-length"])  # cut short
    assert [record for record in caplog.records if record.exc_info] == []
    assert [
        record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING
    ] == []
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    if log_format == "json":
        line = json.loads(lines[0])
        assert (line["method"], line["path"], line["status"]) == ("GET", UNPOD_URL, 0)
    else:
        assert lines[0].startswith(f"GET {UNPOD_URL} dropped ")
