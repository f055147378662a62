"""Control API operations, one function per operationId (openapi/control.yaml).

Every caller holds the control token (see `auth`); no operation acts for a user, so
none takes `token_info`. The sandbox operations, and reset, act on the server's Stores
(`takes_stores`); the state view reads the request's Store, the sandbox `X-Mock-Sandbox`
names. The request journal is the server's (`server.journal.journal_of`), and the
credentials are the fixtures', the same in every sandbox: neither makes one.
"""

from __future__ import annotations

from typing import Any

import connexion
from connexion.lifecycle import ConnexionResponse

from billing_mock.apis.binding import takes_stores
from billing_mock.apis.control import wire
from billing_mock.apis.control.clock import target
from billing_mock.apis.control.errors import SANDBOX_NOT_FOUND
from billing_mock.data.stores import DEFAULT_SANDBOX, Stores
from billing_mock.domain.errors import NotFound
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.domain.store import Store
from billing_mock.server.journal import Filter, journal_of
from billing_mock.server.request_state import sandbox_of

Body = dict[str, Any]


class SandboxNotFound(NotFound):
    """No sandbox has this name now (never made, deleted, evicted or expired)."""

    default_message = SANDBOX_NOT_FOUND


@takes_stores
def reset_state(stores: Stores, organisation: str | None = None) -> Body:
    """POST /reset: every organisation, or only `organisation`, of the sandbox the request
    names (`X-Mock-Sandbox`; without it `default`) back to that sandbox's start: the
    fixtures, its seed and its scenarios. Other sandboxes are left as they are. A whole
    reset of `default` also starts the fault and latency draws again (`Stores.reset`).

    Out: ResetResult, the handles reset. Raises OrganisationNotFound (404).
    """
    name = sandbox_of(connexion.request)
    if name is None or stores.canonical(name) == DEFAULT_SANDBOX:
        stores.reset(organisation)
        store = stores.default
    else:
        store = stores.sandbox(name)
        store.reset(organisation)
    if organisation is not None:
        return wire.reset([organisation])
    return wire.reset(org.handle for org in store.organisations())


def get_organisation_state(store: Store, handle: str) -> Body:
    """GET /organisations/{handle}: the organisation's state as the request's sandbox
    holds it now.

    Raises OrganisationNotFound (404).
    """
    return wire.organisation_state(store.account(handle), store.scenario_of(handle))


@takes_stores
def list_scenarios(stores: Stores) -> Body:
    """GET /scenarios: every scenario an organisation can be put in, by name. Reads no
    sandbox (so `X-Mock-Sandbox` here makes none).
    """
    return wire.scenarios(SCENARIOS.values())


@takes_stores
def list_sandboxes(stores: Stores) -> Body:
    """GET /sandboxes: SandboxList, every sandbox now, `default` first then by name."""
    return wire.sandboxes(stores.listing())


@takes_stores
def get_sandbox(stores: Stores, name: str) -> Body:
    """GET /sandboxes/{name}: the Sandbox `name`; making none. Raises SandboxNotFound (404)."""
    store = stores.get(name)
    if store is None:
        raise SandboxNotFound()
    return wire.sandbox(name, store)


@takes_stores
def put_sandbox(stores: Stores, name: str, body: Body | bytes | None = None) -> tuple[Body, int]:
    """PUT /sandboxes/{name}: make sandbox `name` anew at the fixtures' start, from the
    optional `{"seed": n, "scenarios": {handle: scenario}}` (`Stores.put`).

    The body is optional (connexion passes b"" or None when none was sent). Out: the
    Sandbox, 201 when it is new, 200 when it replaced one (whose state is gone). Raises
    DefaultSandboxKept (409) for `default`, OrganisationNotFound (404) for an unknown
    handle and UnknownScenario (400), before anything is replaced.
    """
    options = body if isinstance(body, dict) else {}
    store, made = stores.put(name, options.get("seed"), options.get("scenarios"))
    return wire.sandbox(name, store), 201 if made else 200


@takes_stores
def delete_sandbox(stores: Stores, name: str) -> ConnexionResponse:
    """DELETE /sandboxes/{name}: drop sandbox `name` and its state; 204 with no body.

    Raises DefaultSandboxKept (409) for `default` and SandboxNotFound (404) for none.
    """
    if not stores.delete(name):
        raise SandboxNotFound()
    return ConnexionResponse(status_code=204)


@takes_stores
def get_clock(stores: Stores) -> Body:
    """GET /clock: the Clock of the request's sandbox (`X-Mock-Sandbox`; else `default`)."""
    name, store = _named(stores)
    return wire.clock(name, store)


@takes_stores
def move_clock(stores: Stores, body: Body) -> Body:
    """POST /clock: move the request's sandbox's clock by `{"advance": "<ISO 8601
    duration>"}` or to `{"to": "<ISO 8601 instant>"}`, running billing on the way
    (`Store.advance`).

    Out: ClockMoved, the events oldest first. Raises BadClockMove and ClockOutOfRange
    (400) and ClockWentBack (409), changing nothing.
    """
    name, store = _named(stores)
    move = target(body)
    previous, happened = store.advance(move)
    # The end this move reached, not the clock read again: another worker may move it on.
    return wire.moved(name, previous, move(previous), happened)


@takes_stores
def list_events(stores: Stores, organisation: str | None = None) -> Body:
    """GET /events: the EventList of the request's sandbox, oldest first, only
    `organisation`'s when given. Raises OrganisationNotFound (404).
    """
    store = _named(stores)[1]
    if organisation is not None:
        store.organisation(organisation)
    return wire.events(item for item in store.events() if organisation in (None, item.organisation))


def _named(stores: Stores) -> tuple[str, Store]:
    """The request's sandbox (`X-Mock-Sandbox`, else `default`) and its canonical name."""
    name = stores.canonical(sandbox_of(connexion.request) or DEFAULT_SANDBOX)
    return name, stores.sandbox(name)


@takes_stores
def list_requests(
    stores: Stores,
    sandbox: str | None = None,
    method: str | None = None,
    path: str | None = None,
    status: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> Body:
    """GET /requests: the RequestList, the journal's entries newest first, those matching
    every filter given (`server.journal.Filter`; `sandbox` by canonical name, so
    `seed-42` is `default` on a seed-42 server), at most `limit`.
    """
    where = Filter(
        sandbox=None if sandbox is None else stores.canonical(sandbox),
        method=method,
        path=path,
        status=status,
        after=after,
    )
    journal = journal_of(connexion.request)
    return wire.requests(journal.entries(where, limit), journal.capacity)


@takes_stores
def clear_requests(stores: Stores, sandbox: str | None = None) -> ConnexionResponse:
    """DELETE /requests: drop every entry of the journal, or only `sandbox`'s; 204."""
    journal_of(connexion.request).clear(None if sandbox is None else stores.canonical(sandbox))
    return ConnexionResponse(status_code=204)


@takes_stores
def list_credentials(stores: Stores) -> Body:
    """GET /credentials: the CredentialList, every fixture organisation with the members
    and credentials that act for it. Reads no sandbox (the fixtures are the same in all).
    """
    return wire.credentials(stores.default)
