"""Control API operations, one function per operationId (openapi/control.yaml).

Every caller holds the control token (see `auth`); no operation acts for a user, so
none takes `token_info`.
"""

from __future__ import annotations

from typing import Any

from billing_mock.apis.binding import takes_stores
from billing_mock.apis.control import wire
from billing_mock.data.stores import Stores
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.domain.store import Store

Body = dict[str, Any]


@takes_stores
def reset_state(stores: Stores, organisation: str | None = None) -> Body:
    """POST /reset: every organisation, or only `organisation`, back to what the fixtures
    and the server's seed define. Without `organisation` the server is as it started:
    every other seed's world (`X-Mock-Seed`) is dropped, its state lost, and the fault
    and latency draws start again (`Stores.reset`). Raises OrganisationNotFound (404).
    """
    stores.reset(organisation)
    if organisation is not None:
        return wire.reset([organisation])
    return wire.reset(org.handle for org in stores.default.organisations())


def get_organisation_state(store: Store, handle: str) -> Body:
    """GET /organisations/{handle}: the organisation's state as the mock holds it now.

    Raises OrganisationNotFound (404).
    """
    return wire.organisation_state(store.account(handle), store.scenario_of(handle))


def list_scenarios(store: Store) -> Body:
    """GET /scenarios: every scenario an organisation can be put in, by name."""
    return wire.scenarios(SCENARIOS.values())
