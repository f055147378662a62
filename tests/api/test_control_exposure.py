"""The control API cannot be reached from a browser page: no CORS, and without a token
only requests addressed to a loopback name (DNS rebinding sends the attacker's name).
"""

from __future__ import annotations

import pytest
from connexion import AsyncApp
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.cli import exposure_warnings
from billing_mock.data.stores import load_stores
from billing_mock.settings import Settings

CONTROL = {"X-Mock-Control-Token": "local"}
PAGE = "http://localhost:5173"


@pytest.fixture(scope="module")
def tokenless() -> AsyncApp:
    return create_app(load_stores(42), Settings(control_hosts=("mock.internal",)))


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:8000", "http://127.0.0.1", "http://[::1]:8000", "http://LOCALHOST:1"],
)
def test_loopback_names_reach_the_control_api(tokenless: AsyncApp, origin: str) -> None:
    with TestClient(tokenless, client=("127.0.0.1", 5000), base_url=origin) as client:
        assert client.get("/__mock/scenarios", headers=CONTROL).status_code == 200


def test_a_configured_host_reaches_the_control_api(tokenless: AsyncApp) -> None:
    with TestClient(tokenless, client=("127.0.0.1", 5000), base_url="http://mock.internal") as c:
        assert c.get("/__mock/scenarios", headers=CONTROL).status_code == 200


@pytest.mark.parametrize("origin", ["http://rebind.attacker.example:8000", "http://testserver"])
def test_another_host_name_is_refused_even_from_loopback(tokenless: AsyncApp, origin: str) -> None:
    with TestClient(tokenless, client=("127.0.0.1", 5000), base_url=origin) as client:
        response = client.post("/__mock/reset", headers=CONTROL)
        assert response.status_code == 403
        assert response.json()["error"]["message"].startswith(
            "No control token is configured, so the control API answers only requests"
        )


def test_with_a_token_the_host_is_not_checked() -> None:
    app = create_app(load_stores(42), Settings(control_token="t0ken"))
    with TestClient(app, base_url="http://mock.example.com") as client:
        assert client.get("/__mock/scenarios", headers={"X-Mock-Control-Token": "t0ken"}).is_success


def test_no_cors_on_the_control_api_but_on_the_vendor_apis(tokenless: AsyncApp) -> None:
    preflight = {
        "Origin": PAGE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-mock-control-token",
    }
    with TestClient(tokenless, base_url="http://localhost:8000") as client:
        control = client.options("/__mock/reset", headers=preflight)
        assert "access-control-allow-origin" not in control.headers
        answered = client.post("/__mock/reset", headers={**CONTROL, "Origin": PAGE})
        assert "access-control-allow-origin" not in answered.headers
        vendor = client.options("/api/billing/checkout", headers=preflight)
        assert vendor.headers["access-control-allow-origin"] == PAGE
        contract = client.get("/openapi/control.json", headers={"Origin": PAGE})
        assert contract.headers["access-control-allow-origin"] == PAGE


def test_a_non_loopback_bind_warns_about_what_it_exposes() -> None:
    assert exposure_warnings("127.0.0.1", Settings()) == []
    assert exposure_warnings("localhost", Settings()) == []
    open_to_all = exposure_warnings("0.0.0.0", Settings())
    assert [warning.split(":")[0] for warning in open_to_all] == [
        "serving on 0.0.0.0 with no --control-token",
        "serving on 0.0.0.0 with no --link-secret",
    ]
    assert exposure_warnings("0.0.0.0", Settings(control_token="t", link_secret="s")) == []
