"""Sandboxes over HTTP: isolated worlds picked by `X-Mock-Sandbox`, managed under
`/__mock/sandboxes`.

Writes go through the vendor APIs (a Razorpay-backed cancellation, a Cognita Update
Plan) and are read back through the vendor APIs and the control API's state view, in
the sandbox that made them, in another and in `default`. One app serves the module;
each test starts with no sandbox but `default`, which is at the fixtures' start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from connexion import AsyncApp
from starlette.testclient import TestClient

from billing_mock.apis.control.errors import SANDBOX_NOT_FOUND
from billing_mock.app import create_app
from billing_mock.data.stores import (
    CANNOT_DELETE_DEFAULT,
    DEFAULT_MAX_SANDBOXES,
    DEFAULT_SANDBOX,
    DEFAULT_SANDBOX_IDLE,
    SANDBOX_NAME,
    Stores,
    load_stores,
)
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.server.steering import SANDBOX_AND_SEED
from billing_mock.settings import Settings
from tests.conftest import OPENAPI, fixture_users

CONTROL = {"X-Mock-Control-Token": "test-token"}
SANDBOXES = "/__mock/sandboxes"
ME = "/api/billing/subscription/me"
CANCEL = "/api/billing/cancel"
UNPOD = "/api/v2/platform/organisation/billing/"
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
COGNITA = f"/api/orgs/{RECALLL_ID}/billing"
PRIYA = fixture_users()["priya.sharma@recalll.co"]
KEY = {"X-API-Key": PRIYA["memberships"][0]["api_key"]}
BEARER = {"Authorization": f"Bearer {PRIYA['bearer']}"}
UNPOD_AUTH = {"Authorization": f"jwt {PRIYA['jwt']}", "Org-Handle": "recalll.co"}
HANDLES = ["recalll.co", "northwind.io", "tinylabs.dev", "sakura.jp", "lumen.studio"]


@pytest.fixture(scope="module")
def served() -> tuple[Stores, AsyncApp]:
    stores = load_stores(42)
    app = create_app(stores, Settings(control_token="test-token"), validate_responses=True)
    return stores, app


@pytest.fixture
def client(served: tuple[Stores, AsyncApp]) -> Iterator[TestClient]:
    stores, app = served
    for name, _ in stores.listing()[1:]:
        stores.delete(name)
    stores.reset()
    with TestClient(app) as client:
        yield client


def _in(sandbox: str | None, headers: dict[str, str]) -> dict[str, str]:
    return headers if sandbox is None else {**headers, "X-Mock-Sandbox": sandbox}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"]["status"] == status
    message: str = body["error"]["message"]
    return message


def _cancelling(client: TestClient, sandbox: str | None) -> bool:
    cancelling: bool = _ok(client.get(ME, headers=_in(sandbox, KEY)))["cancelAtCycleEnd"]
    return cancelling


def _plan(client: TestClient, sandbox: str | None) -> tuple[str, str]:
    subscription = _ok(client.get(COGNITA, headers=_in(sandbox, BEARER)))["data"][
        "currentSubscription"
    ]
    return subscription["plan"]["planId"], subscription["billingCycle"]


def _cancel(client: TestClient, sandbox: str | None) -> None:
    _ok(client.post(CANCEL, headers=_in(sandbox, KEY)))


def _put(client: TestClient, name: str, body: Any = None, status: int = 201) -> Any:
    response = client.put(f"{SANDBOXES}/{name}", json=body, headers=CONTROL)
    return _ok(response, status)


def _state(client: TestClient, sandbox: str | None, handle: str = "recalll.co") -> Any:
    return _ok(client.get(f"/__mock/organisations/{handle}", headers=_in(sandbox, CONTROL)))


def _sandbox(name: str, seed: int = 42, scenarios: dict[str, str] | None = None) -> Any:
    return {"name": name, "seed": seed, "scenarios": scenarios or {}, "default": False}


# --- isolation -----------------------------------------------------------------------


def test_two_sandboxes_never_see_each_others_writes(client: TestClient) -> None:
    _cancel(client, "a")
    update = {"planId": "scale", "billingCycle": "yearly"}
    _ok(client.post(f"{COGNITA}/plan", json=update, headers=_in("a", BEARER)))

    assert (_cancelling(client, "a"), _plan(client, "a")) == (True, ("scale", "yearly"))
    for other in ("b", None, DEFAULT_SANDBOX):
        assert (_cancelling(client, other), _plan(client, other)) == (False, ("growth", "monthly"))
    # The control API's state view reads the sandbox the request names, too.
    assert _state(client, "a")["subscription"]["plan"] == "scale"
    assert _state(client, "b")["subscription"]["plan"] == "growth"
    assert _state(client, None)["subscription"]["cancelAtPeriodEnd"] is False


def test_a_write_in_default_is_not_seen_in_a_sandbox(client: TestClient) -> None:
    _cancel(client, None)
    assert _cancelling(client, DEFAULT_SANDBOX)
    assert not _cancelling(client, "a")


def test_a_sandbox_is_made_on_first_use_with_the_servers_seed(client: TestClient) -> None:
    assert _error(client.get(f"{SANDBOXES}/fresh", headers=CONTROL), 404) == SANDBOX_NOT_FOUND
    default = _ok(client.get(UNPOD, headers=UNPOD_AUTH))
    assert _ok(client.get(UNPOD, headers=_in("fresh", UNPOD_AUTH))) == default
    assert _ok(client.get(f"{SANDBOXES}/fresh", headers=CONTROL)) == _sandbox("fresh")


def test_a_sandbox_starts_from_the_fixtures_not_from_defaults_present(client: TestClient) -> None:
    _cancel(client, None)
    assert not _cancelling(client, "later")


def test_sandbox_and_seed_together_are_400(client: TestClient) -> None:
    headers = {**KEY, "X-Mock-Sandbox": "a", "X-Mock-Seed": "7"}
    response = client.get(ME, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["description"] == SANDBOX_AND_SEED


def test_a_malformed_sandbox_header_is_400_in_the_control_api_too(client: TestClient) -> None:
    response = client.get("/__mock/organisations/recalll.co", headers=_in("Bad_Name", CONTROL))
    assert "X-Mock-Sandbox" in _error(response, 400)


# --- PUT -----------------------------------------------------------------------------


def test_put_with_a_seed_and_scenarios(client: TestClient) -> None:
    body = {"seed": 7, "scenarios": {"recalll.co": "failed-payment"}}
    made = _put(client, "seven", body)
    assert made == _sandbox("seven", 7, {"recalll.co": "failed-payment"})

    # recalll.co is seed 7's data in failed-payment from the start; the others are seed 7's.
    asked = {"X-Mock-Seed": "7", "X-Mock-Scenario": "failed-payment"}
    for path, auth in ((UNPOD, UNPOD_AUTH), (ME, KEY), (COGNITA, BEARER)):
        shown = _ok(client.get(path, headers=_in("seven", auth)))
        assert shown == _ok(client.get(path, headers={**auth, **asked})), path
        assert shown != _ok(client.get(path, headers=auth)), path
    lumen = "/__mock/organisations/lumen.studio"
    seven = _ok(client.get(lumen, headers=_in("seven", CONTROL)))
    assert seven == _ok(client.get(lumen, headers=_in("seed-7", CONTROL)))
    assert _state(client, "seven")["scenario"] == "failed-payment"
    assert _ok(client.get(f"{SANDBOXES}/seven", headers=CONTROL)) == made


def test_put_without_a_body_makes_a_sandbox_of_the_servers_seed(client: TestClient) -> None:
    response = client.put(f"{SANDBOXES}/bare", headers=CONTROL)
    assert _ok(response, 201) == _sandbox("bare")
    assert _put(client, "empty", {}) == _sandbox("empty")
    assert _put(client, "only-seed", {"seed": 0}) == _sandbox("only-seed", 0)


def test_put_replaces_a_sandbox_its_state_gone(client: TestClient) -> None:
    _put(client, "a")
    _cancel(client, "a")
    _cancel(client, "b")
    assert _cancelling(client, "a")

    replaced = _put(client, "a", {"scenarios": {"sakura.jp": "expired-card"}}, status=200)

    assert replaced == _sandbox("a", scenarios={"sakura.jp": "expired-card"})
    assert not _cancelling(client, "a")
    assert _cancelling(client, "b"), "another sandbox is left as it is"
    assert _state(client, "a", "sakura.jp")["scenario"] == "expired-card"


def test_put_replaces_a_sandbox_made_by_its_header(client: TestClient) -> None:
    _cancel(client, "by-header")
    assert _put(client, "by-header", {"seed": 9}, status=200) == _sandbox("by-header", 9)
    nine = _ok(client.get(UNPOD, headers={**UNPOD_AUTH, "X-Mock-Seed": "9"}))
    assert _ok(client.get(UNPOD, headers=_in("by-header", UNPOD_AUTH))) == nine
    assert not _cancelling(client, "by-header")


def test_a_seed_sandbox_named_by_header_is_that_seeds(client: TestClient) -> None:
    _ok(client.get(UNPOD, headers=_in("seed-9", UNPOD_AUTH)))
    nine = _ok(client.get(UNPOD, headers={**UNPOD_AUTH, "X-Mock-Seed": "9"}))
    assert nine != _ok(client.get(UNPOD, headers=UNPOD_AUTH))


def test_the_default_sandbox_cannot_be_replaced_or_deleted(client: TestClient) -> None:
    _cancel(client, None)
    replaced = client.put(f"{SANDBOXES}/default", json={"seed": 7}, headers=CONTROL)
    assert _error(replaced, 409).startswith("The default sandbox cannot be replaced")
    deleted = client.delete(f"{SANDBOXES}/default", headers=CONTROL)
    assert _error(deleted, 409) == CANNOT_DELETE_DEFAULT
    assert _cancelling(client, None), "default keeps its state"


def test_an_unknown_organisation_is_404_and_makes_nothing(client: TestClient) -> None:
    response = client.put(
        f"{SANDBOXES}/x", json={"scenarios": {"nobody.example": "expired-card"}}, headers=CONTROL
    )
    assert _error(response, 404) == "Organisation not found"
    _error(client.get(f"{SANDBOXES}/x", headers=CONTROL), 404)


def test_an_unknown_scenario_is_400_and_replaces_nothing(client: TestClient) -> None:
    _cancel(client, "kept")
    response = client.put(
        f"{SANDBOXES}/kept", json={"scenarios": {"recalll.co": "meltdown"}}, headers=CONTROL
    )
    assert "meltdown" in _error(response, 400)
    assert _cancelling(client, "kept")


@pytest.mark.parametrize(
    "body",
    [
        {"seed": -1},
        {"seed": 10**18},
        {"seed": "7"},
        {"seed": 7, "colour": "blue"},
        {"scenarios": ["recalll.co"]},
        {"scenarios": {"recalll.co": 1}},
        [],
    ],
    ids=["negative", "19-digits", "string", "extra", "list", "not-a-name", "array"],
)
def test_a_malformed_body_is_400(client: TestClient, body: Any) -> None:
    response = client.put(f"{SANDBOXES}/x", json=body, headers=CONTROL)
    _error(response, 400)
    _error(client.get(f"{SANDBOXES}/x", headers=CONTROL), 404)


def test_the_largest_seed_is_taken(client: TestClient) -> None:
    seed = 999_999_999_999_999_999
    assert _put(client, "big", {"seed": seed}) == _sandbox("big", seed)


CONTRACT = yaml.safe_load((OPENAPI / "control.yaml").read_text())


def test_the_contract_names_every_scenario_the_mock_knows() -> None:
    assert CONTRACT["components"]["schemas"]["ScenarioName"]["enum"] == list(SCENARIOS)


def test_the_contract_states_the_servers_bounds_and_name_form() -> None:
    prose = " ".join(CONTRACT["info"]["description"].split())
    assert f"at most {DEFAULT_MAX_SANDBOXES} besides `default`" in prose
    assert f"unused for {DEFAULT_SANDBOX_IDLE:g} seconds" in prose
    pattern = CONTRACT["components"]["schemas"]["SandboxName"]["pattern"]
    assert pattern == f"^{SANDBOX_NAME.pattern}$"


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Bad", "-lead", "a_b", "a" * 64, "a.b"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_bad_name_is_400(client: TestClient, name: str, method: str) -> None:
    response = client.request(method, f"{SANDBOXES}/{name}", headers=CONTROL)
    assert "name" in _error(response, 400)


def test_the_longest_name_is_taken(client: TestClient) -> None:
    name = "a" + "-9" * 31
    assert len(name) == 63
    assert _put(client, name) == _sandbox(name)
    assert not _cancelling(client, name)


# --- GET, list, DELETE ---------------------------------------------------------------


def test_get_shows_default_and_404_for_none(client: TestClient) -> None:
    default = {"name": "default", "seed": 42, "scenarios": {}, "default": True}
    assert _ok(client.get(f"{SANDBOXES}/default", headers=CONTROL)) == default
    assert _error(client.get(f"{SANDBOXES}/none", headers=CONTROL), 404) == SANDBOX_NOT_FOUND
    _error(client.get(f"{SANDBOXES}/none", headers=CONTROL), 404)  # a GET made none


def test_list_is_default_first_then_by_name(client: TestClient) -> None:
    default = {"name": "default", "seed": 42, "scenarios": {}, "default": True}
    assert _ok(client.get(SANDBOXES, headers=CONTROL)) == {"sandboxes": [default]}
    _put(client, "zeta", {"seed": 3})
    _cancel(client, "alpha")
    _put(client, "mid", {"scenarios": {"recalll.co": "trial-ending"}})

    listed = _ok(client.get(SANDBOXES, headers=CONTROL))["sandboxes"]

    assert listed == [
        default,
        _sandbox("alpha"),
        _sandbox("mid", scenarios={"recalll.co": "trial-ending"}),
        _sandbox("zeta", 3),
    ]


def test_delete_drops_a_sandbox_and_its_state(client: TestClient) -> None:
    _cancel(client, "gone")
    response = client.delete(f"{SANDBOXES}/gone", headers=CONTROL)
    assert (response.status_code, response.content) == (204, b"")
    assert _error(client.get(f"{SANDBOXES}/gone", headers=CONTROL), 404) == SANDBOX_NOT_FOUND
    again = client.delete(f"{SANDBOXES}/gone", headers=CONTROL)
    assert _error(again, 404) == SANDBOX_NOT_FOUND
    # Its next use makes it again, from the fixtures.
    assert not _cancelling(client, "gone")


def test_a_new_sandbox_past_the_bound_evicts_the_least_recently_used() -> None:
    stores = load_stores(42, max_sandboxes=2)
    with TestClient(create_app(stores, Settings(control_token="test-token"))) as client:
        _cancel(client, "one")
        _cancel(client, "two")
        _cancel(client, None)
        assert _cancelling(client, "one")  # one is now the most recently used
        _put(client, "three")
        names = [item["name"] for item in _ok(client.get(SANDBOXES, headers=CONTROL))["sandboxes"]]
        assert names == ["default", "one", "three"]
        assert not _cancelling(client, "two"), "an evicted sandbox has lost its state"
        assert _cancelling(client, None), "default is never evicted"


def test_listing_does_not_change_which_sandbox_is_evicted() -> None:
    stores = load_stores(42, max_sandboxes=2)
    with TestClient(create_app(stores, Settings(control_token="test-token"))) as client:
        _cancel(client, "one")
        _cancel(client, "two")
        assert _cancelling(client, "one")  # one is now the most recently used
        _ok(client.get(SANDBOXES, headers=CONTROL))
        _put(client, "three")
        assert _cancelling(client, "one"), "two, the least recently used, is evicted"


# --- reset ---------------------------------------------------------------------------


def test_reset_with_a_sandbox_resets_only_that_sandbox(client: TestClient) -> None:
    for sandbox in ("a", "b", None):
        _cancel(client, sandbox)

    reset = _ok(client.post("/__mock/reset", headers=_in("a", CONTROL)))

    assert reset == {"reset": HANDLES}
    assert [_cancelling(client, s) for s in ("a", "b", None)] == [False, True, True]


def test_reset_of_one_organisation_in_a_sandbox(client: TestClient) -> None:
    _put(client, "a", {"scenarios": {"recalll.co": "trial-ending"}})
    _cancel(client, "a")
    _cancel(client, None)
    response = client.post(
        "/__mock/reset", params={"organisation": "recalll.co"}, headers=_in("a", CONTROL)
    )
    assert _ok(response) == {"reset": ["recalll.co"]}
    assert not _cancelling(client, "a")
    assert _state(client, "a")["scenario"] == "trial-ending", "reset to the sandbox's start"
    assert _cancelling(client, None)


@pytest.mark.parametrize("named", [None, DEFAULT_SANDBOX], ids=["no-header", "default"])
def test_reset_of_default_leaves_every_sandbox(client: TestClient, named: str | None) -> None:
    _cancel(client, "a")
    _cancel(client, None)
    _ok(client.post("/__mock/reset", headers=_in(named, CONTROL)))
    assert (_cancelling(client, None), _cancelling(client, "a")) == (False, True)


def test_listing_scenarios_makes_no_sandbox(
    client: TestClient, served: tuple[Stores, AsyncApp]
) -> None:
    _ok(client.get("/__mock/scenarios", headers=_in("never-made", CONTROL)))
    assert [name for name, _ in served[0].listing()] == ["default"]
