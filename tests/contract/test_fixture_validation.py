"""Every fixture organisation, rendered by every API as its handlers render it, validates
against that operation's 200/201 response schema in openapi/ (stripe-mock's generator_test).

For several seeds, each organisation's account goes through each API's `wire` module the
way `apis/<api>/handlers.py` calls it, for every operation with a JSON success body; the
Razorpay and Cognita writes run their `lifecycle` transition through `Store.update` (and
`Store.reset()` after) wherever the organisation's subscription allows it, and the
control API's state view is rendered in every scenario and after each kind of transition
too, and its sandboxes with an organisation in every scenario. Bodies are round-tripped
through `json` first, so a `Decimal` or `datetime` left in one fails here.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import isodate
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from billing_mock.apis.cognita import handlers as cognita_handlers
from billing_mock.apis.cognita import wire as cognita_wire
from billing_mock.apis.control import handlers as control_handlers
from billing_mock.apis.control import wire as control_wire
from billing_mock.apis.razorpay import wire as razorpay_wire
from billing_mock.apis.registry import APIS, api_named
from billing_mock.apis.stripe import links as stripe_links
from billing_mock.apis.stripe import wire as stripe_wire
from billing_mock.apis.unpod import wire as unpod_wire
from billing_mock.data.fixtures import load_fixtures
from billing_mock.data.stores import Stores, load_stores
from billing_mock.domain import lifecycle
from billing_mock.domain.errors import BillingMockError
from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.models import Account, BillingCycle, Confirmation, Order, Role, User
from billing_mock.domain.pagination import page_of, paginate
from billing_mock.domain.scenarios import SCENARIOS, apply_scenario
from billing_mock.domain.store import Store
from billing_mock.server.journal import Journal, RequestJournal
from billing_mock.server.masking import known_secrets
from billing_mock.server.request_state import StoreMiddleware
from billing_mock.settings import Settings

T = TypeVar("T")
Rendered = Iterator[tuple[str, Any]]
"""(operationId, or `components/schemas/<Name>` for a part shown in several, and the body)."""

SEEDS = (1, 42, 2026)
FIXTURES = load_fixtures()
HANDLES = tuple(org.handle for org in FIXTURES.organisations)
ORIGIN = "http://127.0.0.1:8000"
"""The origin of a request to the mock on its default port."""
STRIPE_URL = ORIGIN + api_named("stripe").base_path
RAZORPAY_URL = ORIGIN + api_named("razorpay").base_path
"""What `request_state.api_url()` returns in a request to each API on that origin."""
UNPOD_PAGE_SIZE = 20
"""`get_billing_data`'s default page_size."""
MAX_SHOWN = 25


class Contract:
    """One API's contract: a validator per operation's 200/201 `application/json` schema.

    `$ref`s resolve in the whole document (registered under a URN), formats are checked,
    and `nullable` is understood (OAS 3.0).
    """

    def __init__(self, api: str) -> None:
        self.document = api_named(api).contract.document
        self.uri = f"urn:billing-mock:openapi:{api}"
        resource = Resource.from_contents(self.document, default_specification=DRAFT4)
        self.registry: Registry[Any] = Registry().with_resource(self.uri, resource)
        self.pointers = dict(self._success_schemas())
        self._validators: dict[str, OAS30Validator] = {}

    def _success_schemas(self) -> Iterator[tuple[str, str]]:
        """(operationId, JSON pointer of its 200 or 201 JSON schema) for each operation."""
        for route, item in self.document["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                for status in ("200", "201"):
                    pointer = self._json_schema(route, method, status)
                    if pointer:
                        yield operation["operationId"], pointer

    def _json_schema(self, route: str, method: str, status: str) -> str | None:
        escaped = route.replace("~", "~0").replace("/", "~1")
        pointer = f"/paths/{escaped}/{method}/responses/{status}"
        response = self.document["paths"][route][method]["responses"].get(status)
        if response is None:
            return None
        if "$ref" in response:
            pointer = response["$ref"].removeprefix("#")
            response = self._at(pointer)
        if "application/json" not in response.get("content", {}):
            return None
        return f"{pointer}/content/application~1json/schema"

    def _at(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validator(self, target: str) -> OAS30Validator:
        """The validator for an operationId, or for `components/schemas/<Name>`."""
        if target not in self._validators:
            pointer = f"/{target}" if target.startswith("components/") else self.pointers[target]
            self._validators[target] = OAS30Validator(
                {"$ref": f"{self.uri}#{pointer}"},
                registry=self.registry,
                format_checker=oas30_format_checker,
            )
        return self._validators[target]

    def problems(self, target: str, body: Any) -> list[str]:
        """`<JSON path>: <message>` for each way `body` breaks the schema, sorted by path."""
        unserialisable = list(non_json(body))
        if unserialisable:
            return unserialisable
        wire = json.loads(json.dumps(body))
        errors = sorted(
            self.validator(target).iter_errors(wire),
            key=lambda error: (error.json_path, error.message),
        )
        return [f"{error.json_path}: {error.message}" for error in errors]


def non_json(value: Any, path: str = "$") -> Iterator[str]:
    """Values that are no JSON value (a Decimal, a datetime, an enum), by JSON path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield f"{path}: key {key!r} is not a string"
            yield from non_json(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from non_json(item, f"{path}[{index}]")
    elif value is not None and not isinstance(value, str | int | float):
        yield f"{path}: {value!r} is a {type(value).__name__}, not a JSON value"


@functools.cache
def contract(api: str) -> Contract:
    return Contract(api)


@functools.cache
def _stores(seed: int) -> Stores:
    return load_stores(seed)


def _store(seed: int) -> Store:
    return _stores(seed).default


def failures(seed: int, handle: str, api: str, rendered: Iterable[tuple[str, Any]]) -> list[str]:
    """One line per schema violation, naming the fixture, the API, the operation and the field."""
    return [
        f"fixture organisation {handle!r} (seed {seed}), API {api}, operation {target}: {problem}"
        for target, body in rendered
        for problem in contract(api).problems(target, body)
    ]


def _report(problems: list[str]) -> str:
    more = len(problems) - MAX_SHOWN
    return "\n".join(["", *problems[:MAX_SHOWN], *([f"... and {more} more"] if more > 0 else [])])


# --- rendering, as each API's handlers do ------------------------------------------------


def _attempt(
    store: Store, handle: str, change: Callable[[Account], tuple[Account, T]]
) -> tuple[Account, T] | None:
    """`change` applied through `Store.update`, as a handler applies it; None when the
    domain refuses it for this organisation. The store is reset afterwards.
    """
    try:
        return store.update(handle, change)
    except BillingMockError:
        return None
    finally:
        store.reset()


def _plan_changes(store: Store, handle: str) -> Iterator[tuple[Account, lifecycle.PlanChange]]:
    """Every plan and cycle the organisation's subscription may change to, changed; and
    each again after a downgrade to the cheapest plan, so its credit pays part or all of
    the change (a negative "Credit applied" line, a zero invoice with no payment).
    """
    for first in (None, _to_cheapest):
        for plan_id, cycle in itertools.product(FIXTURES.plans, BillingCycle):
            changed = _attempt(
                store, handle, functools.partial(_changed, store, first, plan_id, cycle)
            )
            if changed:
                yield changed


def _changed(
    store: Store,
    first: Callable[[Store, Account], Account] | None,
    plan_id: str,
    cycle: BillingCycle,
    account: Account,
) -> tuple[Account, lifecycle.PlanChange]:
    account = first(store, account) if first else account
    return lifecycle.change_plan(
        account,
        store.plan(account.subscription.plan_id),
        store.plan(plan_id),
        cycle,
        now=store.as_of,
        seed=store.seed,
    )


def _to_cheapest(store: Store, account: Account) -> Account:
    """The account after a downgrade to the first fixture plan (credit, when it is cheaper)."""
    cheapest = store.plan(next(iter(FIXTURES.plans)))
    if account.subscription.plan_id == cheapest.id:
        return account
    current = store.plan(account.subscription.plan_id)
    cycle = account.subscription.billing_cycle
    return lifecycle.change_plan(
        account, current, cheapest, cycle, now=store.as_of, seed=store.seed
    )[0]


def _ended_with_credit(store: Store, account: Account) -> Account:
    """After a downgrade (credit) and an immediate cancellation: checkout prices credit in."""
    if account.subscription.has_ended:
        return account
    return lifecycle.cancel(_to_cheapest(store, account), at_period_end=False, now=store.as_of)


def render_unpod(store: Store, handle: str) -> Rendered:
    """getBillingData: every page of the organisation's invoices."""
    invoices = store.invoices(handle)
    for number in range(1, max(1, math.ceil(len(invoices) / UNPOD_PAGE_SIZE)) + 1):
        yield "getBillingData", unpod_wire.billing_data(paginate(invoices, number, UNPOD_PAGE_SIZE))


def render_stripe(store: Store, handle: str) -> Rendered:
    """The getStripeBillingDetails body; its invoices are `wire.invoice`, as on the hosted page."""
    key = stripe_links.link_key(None, store.gateway.key_secret)
    hosted = stripe_links.HostedIds(key, "default", store.seed)
    details = stripe_wire.billing_details(store.account(handle), STRIPE_URL, hosted)
    yield "getStripeBillingDetails", details


def render_cognita(store: Store, handle: str) -> Rendered:
    """getOrganizationBilling, and updatePlan to every plan and cycle it may change to."""
    account = store.account(handle)
    bill = cognita_wire.bill(account, store.plan(account.subscription.plan_id))
    yield "getOrganizationBilling", _cognita_ok(cognita_handlers.FETCHED, bill)
    for changed, result in _plan_changes(store, handle):
        bill = cognita_wire.bill(changed, store.plan(result.subscription.plan_id))
        yield "updatePlan", _cognita_ok(cognita_handlers.PLAN_UPDATED, bill)


def _cognita_ok(message: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "message": message, "data": data}


def render_razorpay(store: Store, handle: str) -> Rendered:
    """Every JSON operation, the history's invoices and payments, and every transition
    the organisation's subscription allows (the PDF and CSV ones are not JSON).
    """
    account = store.account(handle)
    subscription = _razorpay_subscription(store, account)
    yield "getMySubscription", subscription
    yield "getSubscription", subscription
    yield "listSubscriptions", razorpay_wire.subscription_list(page_of([subscription], 1, 20))
    for invoice in account.invoices:
        yield "components/schemas/Invoice", razorpay_wire.invoice(invoice, RAZORPAY_URL)
    for payment in account.payments:
        yield "components/schemas/Payment", razorpay_wire.payment(payment)
    notes = {"source": "fixture validation"}
    edited = _attempt(store, handle, lambda account: (lifecycle.edit(account, notes=notes), None))
    if edited:
        yield "updateSubscription", _razorpay_subscription(store, edited[0])
    yield from _razorpay_cancellations(store, handle)
    yield from _razorpay_checkouts(store, handle)
    for changed, result in _plan_changes(store, handle):
        plan = store.plan(result.subscription.plan_id)
        yield "changePlan", razorpay_wire.plan_change(result, changed, plan, RAZORPAY_URL)


def _razorpay_subscription(store: Store, account: Account) -> dict[str, Any]:
    return razorpay_wire.subscription(account, store.plan(account.subscription.plan_id))


def _razorpay_cancellations(store: Store, handle: str) -> Rendered:
    """The bodies of cancelSubscription (at period end, and at once) and resumeSubscription."""
    now = store.as_of
    for at_period_end in (True, False):

        def cancel(account: Account, at_period_end: bool = at_period_end) -> tuple[Account, None]:
            return lifecycle.cancel(account, at_period_end=at_period_end, now=now), None

        cancelled = _attempt(store, handle, cancel)
        if cancelled:
            yield "cancelSubscription", _razorpay_subscription(store, cancelled[0])

    def cancel_then_resume(account: Account) -> tuple[Account, None]:
        if not account.subscription.cancel_at_period_end:
            account = lifecycle.cancel(account, at_period_end=True, now=now)
        return lifecycle.resume(account, now=now), None

    resumed = _attempt(store, handle, cancel_then_resume)
    if resumed:
        yield "resumeSubscription", _razorpay_subscription(store, resumed[0])


def _razorpay_checkouts(store: Store, handle: str) -> Rendered:
    """The bodies of createCheckout for every plan, cycle and coupon the organisation may
    check out with, and of confirmCheckout for each such order.
    """
    user = _owner_or_admin(store, handle)
    for before, plan_id, cycle, code in itertools.product(
        (None, _ended_with_credit), FIXTURES.plans, BillingCycle, (None, *FIXTURES.coupons)
    ):
        plan = store.plan(plan_id)
        checkout = functools.partial(
            _checkout,
            store,
            before,
            plan=plan,
            cycle=cycle,
            coupon=store.coupon(code) if code else None,
        )
        ordered = _attempt(store, handle, checkout)
        if not ordered:
            continue
        account, order = ordered
        yield "createCheckout", razorpay_wire.checkout(order, plan, account, user, store.gateway)
        account, result = _confirmed(store, handle, checkout)
        current = store.plan(result.subscription.plan_id)
        body = razorpay_wire.confirmation(result, account.organisation, current, RAZORPAY_URL)
        yield "confirmCheckout", body


def _checkout(
    store: Store,
    before: Callable[[Store, Account], Account] | None,
    account: Account,
    **options: Any,
) -> tuple[Account, Order]:
    account = before(store, account) if before else account
    return lifecycle.checkout(account, now=store.as_of, seed=store.seed, **options)


def _confirmed(
    store: Store, handle: str, checkout: Callable[[Account], tuple[Account, Order]]
) -> tuple[Account, Confirmation]:
    """The checkout's order paid and confirmed, both in one update (the store was reset)."""

    def change(account: Account) -> tuple[Account, Confirmation]:
        account, order = checkout(account)
        payment_id = processor_id("pay", 14, "fixture validation", order.id)
        return lifecycle.confirm(
            account,
            order.id,
            payment_id,
            now=store.as_of,
            seed=store.seed,
            captured=store.payment_captured,
        )

    confirmed = _attempt(store, handle, change)
    assert confirmed, f"{handle}: an order createCheckout made did not confirm"
    return confirmed


def _owner_or_admin(store: Store, handle: str) -> User:
    """A user who may check out for the organisation (the checkout prefills their name)."""
    return next(
        user
        for user in store.users()
        for member in user.memberships
        if member.organisation == handle and member.role in (Role.OWNER, Role.ADMIN)
    )


def render_control(store: Store, handle: str) -> Rendered:
    """The state view (getOrganisationState) as the fixtures define it, in every
    scenario, and after every cancellation, checkout (created, and confirmed) and plan
    change the organisation allows; listScenarios; resetState for the organisation and
    for every one; the sandbox operations (`_control_sandboxes`).
    """
    yield "getOrganisationState", control_handlers.get_organisation_state(store, handle)
    account = store.account(handle)
    plan = store.plan(account.subscription.plan_id)
    for name in SCENARIOS:
        shown = apply_scenario(account, name, store.as_of, plan=plan)
        yield "getOrganisationState", control_wire.organisation_state(shown, name)
    for changed in _control_changes(store, handle):
        state = control_wire.organisation_state(changed, store.scenario_of(handle))
        yield "getOrganisationState", state
    yield "listScenarios", control_handlers.list_scenarios(_stores(store.seed))
    # reset_state acts on the server's Stores, not one Store (here maybe a scenario view):
    # its bodies are rendered as it renders them, after the resets it makes.
    store.reset(handle)
    yield "resetState", control_wire.reset([handle])
    store.reset()
    yield "resetState", control_wire.reset(org.handle for org in store.organisations())
    yield from _control_sandboxes(_stores(store.seed), handle)
    yield from _control_clock(store, handle)
    yield from _control_journal(_stores(store.seed), handle)


CLOCK_MOVES = ("P10D", "P1M", "P3D", "P1M", "P1Y")
"""Moves that cross a trial's end, a renewal, every dunning retry, a halted period, and a
year of renewals (with cards expiring on the way)."""


def _on_the_clock(store: Store, handle: str) -> Iterator[tuple[Store, datetime, tuple[Any, ...]]]:
    """For the organisation in no scenario and in each, a sandbox of `store` after each of
    CLOCK_MOVES, with the clock before and the events of that move.
    """
    for name in (None, *SCENARIOS):
        sandbox = store.fork({handle: name} if name else None)
        for move in CLOCK_MOVES:
            previous, events = sandbox.advance(
                lambda now, move=move: now + isodate.parse_duration(move)
            )
            yield sandbox, previous, events


def _control_clock(store: Store, handle: str) -> Rendered:
    """getClock, moveClock and listEvents, the organisation in every scenario, and its
    state view after each move.
    """
    yield "getClock", control_wire.clock("default", store)
    for sandbox, previous, events in _on_the_clock(store, handle):
        yield "moveClock", control_wire.moved("clock", previous, sandbox.now, events)
        yield "getClock", control_wire.clock("clock", sandbox)
        yield "listEvents", control_wire.events(sandbox.events())
        state = control_wire.organisation_state(
            sandbox.account(handle), sandbox.scenario_of(handle)
        )
        yield "getOrganisationState", state


def render_on_the_clock(api: str, store: Store, handle: str) -> Rendered:
    """The API's main read of the organisation after each clock move (`_on_the_clock`)."""
    for sandbox, _, _ in _on_the_clock(store, handle):
        account = sandbox.account(handle)
        plan = sandbox.plan(account.subscription.plan_id)
        if api == "cognita":
            bill = cognita_wire.bill(account, plan)
            yield "getOrganizationBilling", _cognita_ok(cognita_handlers.FETCHED, bill)
        elif api == "razorpay":
            yield "getMySubscription", razorpay_wire.subscription(account, plan)
            for invoice in account.invoices[:3]:
                yield "components/schemas/Invoice", razorpay_wire.invoice(invoice, RAZORPAY_URL)
            for payment in account.payments[:6]:
                yield "components/schemas/Payment", razorpay_wire.payment(payment)
        else:
            yield from RENDERERS[api](sandbox, handle)


def _control_sandboxes(stores: Stores, handle: str) -> Rendered:
    """The sandbox operations' bodies: putSandbox (made, then replaced) with the
    organisation in every scenario, of the server's seed and another; getSandbox and
    listSandboxes of those and `default`. The sandboxes are deleted after.
    """
    yield "getSandbox", control_handlers.get_sandbox(stores, "default")
    names = []
    for index, (name, seed) in enumerate(itertools.product(SCENARIOS, ({}, {"seed": 7}))):
        sandbox = f"fixture-validation-{index}"
        for status in (201, 200):
            body = {"scenarios": {handle: name}, **seed}
            made = control_handlers.put_sandbox(stores, sandbox, body)
            assert made[1] == status, f"{sandbox}: PUT answered {made[1]}, not {status}"
            yield "putSandbox", made[0]
        yield "getSandbox", control_handlers.get_sandbox(stores, sandbox)
        names.append(sandbox)
    yield "listSandboxes", control_handlers.list_sandboxes(stores)
    for sandbox in names:
        control_handlers.delete_sandbox(stores, sandbox)


def _control_changes(store: Store, handle: str) -> Iterator[Account]:
    """The organisation's account after each transition it allows (the store is reset)."""
    now = store.as_of
    for at_period_end in (True, False):

        def cancel(account: Account, at_period_end: bool = at_period_end) -> tuple[Account, None]:
            return lifecycle.cancel(account, at_period_end=at_period_end, now=now), None

        cancelled = _attempt(store, handle, cancel)
        if cancelled:
            yield cancelled[0]
    for plan_id, cycle in itertools.product(FIXTURES.plans, BillingCycle):
        checkout = functools.partial(
            lifecycle.checkout,
            plan=store.plan(plan_id),
            cycle=cycle,
            coupon=None,
            now=now,
            seed=store.seed,
        )
        ordered = _attempt(store, handle, checkout)
        if ordered:
            yield ordered[0]
            yield _confirmed(store, handle, checkout)[0]
    for changed, _ in _plan_changes(store, handle):
        yield changed


JOURNALED = (
    # (method, path, request headers, request body, response status, media type, body, whole)
    ("GET", "/api/billing/subscription/me", "x-api-key", b"", 200, "application/json", b"{}", True),
    (
        "POST",
        "/api/billing/checkout",
        "cookie",
        b'{"planId": "growth"}',
        201,
        "application/json",
        b'{"orderId": "order_x"}' * 300,
        True,
    ),
    (
        "GET",
        "/api/billing/invoices/inv_x/pdf",
        "x-api-key",
        b"",
        200,
        "application/pdf",
        b"%PDF-1.4" * 10,
        True,
    ),
    (
        "GET",
        "/api/v2/platform/organisation/billing/",
        "authorization",
        b"",
        200,
        "application/json",
        b"{",
        False,
    ),
)
"""Requests the journal renders, as its middleware records them: a JSON body, a body cut
short, a PDF, and a dropped connection; with an API key, a session and a JWT of a member."""


def _control_journal(stores: Stores, handle: str) -> Rendered:
    """The bodies of listRequests, after JOURNALED requests with the organisation's
    members' credentials (recorded by the real `RequestJournal`), and of listCredentials.
    """
    journal = Journal(10, known_secrets(stores.fixtures, Settings()))
    user = next(user for user in stores.default.users() if user.is_member_of(handle))
    member = next(member for member in user.memberships if member.organisation == handle)
    credential = {
        "x-api-key": member.api_key,
        "cookie": f"session={member.session}",
        "authorization": f"jwt {user.jwt}",
    }
    for method, path, header, sent, status, media, answer, whole in JOURNALED:
        app = _answering(status, media, answer, whole)
        served = StoreMiddleware(RequestJournal(app, journal, APIS), stores, Settings())
        headers = [(header.encode(), credential[header].encode()), (b"x-mock-scenario", b"x")]
        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "query_string": b"a=1",
            "headers": headers,
        }
        asyncio.run(_served(served, scope, sent))
    yield "listRequests", control_wire.requests(journal.entries(), journal.capacity)
    yield "listCredentials", control_handlers.list_credentials(stores)


def _answering(status: int, media: str, body: bytes, whole: bool) -> Any:
    """An ASGI app that reads the request and answers `body` (its end never sent unless
    `whole`, as a dropped connection).
    """

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        headers = [(b"content-type", media.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": not whole})

    return app


async def _served(app: Any, scope: dict[str, Any], body: bytes) -> None:
    """`app` serving `scope` with request `body`; what it sends is dropped."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        return None

    await app(scope, receive, send)


RENDERERS: dict[str, Callable[[Store, str], Rendered]] = {
    "unpod": render_unpod,
    "stripe": render_stripe,
    "cognita": render_cognita,
    "razorpay": render_razorpay,
    "control": render_control,
}

CASES = [
    pytest.param(seed, handle, api, id=f"seed{seed}-{handle}-{api}")
    for seed in SEEDS
    for handle in HANDLES
    for api in RENDERERS
]


# --- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "handle", "api"), CASES)
def test_fixture_rendered_by_api_matches_its_response_schemas(
    seed: int, handle: str, api: str
) -> None:
    store = _store(seed)
    store.reset()
    problems = failures(seed, handle, api, RENDERERS[api](store, handle))
    assert not problems, _report(problems)


def test_every_registered_api_has_a_renderer() -> None:
    assert set(RENDERERS) == {api.name for api in APIS}


@pytest.mark.parametrize("api", ["unpod", "stripe", "cognita", "razorpay"])
@pytest.mark.parametrize("handle", HANDLES)
def test_what_the_billing_clock_makes_renders_to_the_response_schemas(
    api: str, handle: str
) -> None:
    """Renewals, dunning (past due, halted), trials converted or lapsed, cancellations and
    expired cards, in every scenario, as each vendor API shows them.
    """
    store = _store(42)
    store.reset()
    problems = failures(42, handle, api, render_on_the_clock(api, store, handle))
    assert not problems, _report(problems)


@pytest.mark.parametrize("api", sorted(RENDERERS))
def test_every_json_operation_is_rendered_from_some_fixture(api: str) -> None:
    """Every operation with a JSON success body is checked (stripe-mock walks every path)."""
    store = _store(42)
    store.reset()
    rendered = {target for handle in HANDLES for target, _ in RENDERERS[api](store, handle)}
    missing = set(contract(api).pointers) - rendered
    assert not missing, f"{api}: no fixture renders {sorted(missing)}"


# --- the check can fail ------------------------------------------------------------------


def _broken(api: str, handle: str, breaks: Callable[[dict[str, Any]], None]) -> list[str]:
    store = _store(42)
    store.reset()
    target, rendered = next(RENDERERS[api](store, handle))
    body = copy.deepcopy(rendered)  # invoice forms are shared (apis/common/rendered.py)
    breaks(body)
    return failures(42, handle, api, [(target, body)])


def test_a_wrong_type_and_value_are_reported_with_fixture_api_operation_and_field() -> None:
    def breaks(body: dict[str, Any]) -> None:
        body["count"] = str(body["count"])
        body["data"][3]["status"] = "overdue"

    problems = _broken("unpod", "northwind.io", breaks)
    assert problems == [
        "fixture organisation 'northwind.io' (seed 42), API unpod, operation getBillingData: "
        "$.count: '26' is not of type 'integer'",
        "fixture organisation 'northwind.io' (seed 42), API unpod, operation getBillingData: "
        "$.data[3].status: 'overdue' is not one of ['paid', 'pending', 'failed']",
    ]


def test_a_bad_format_and_a_missing_field_are_reported() -> None:
    def breaks(body: dict[str, Any]) -> None:
        body["invoices"][0]["createdAt"] = "yesterday"
        del body["paymentMethods"][0]["last4"]

    problems = _broken("stripe", "recalll.co", breaks)
    assert problems == [
        "fixture organisation 'recalll.co' (seed 42), API stripe, operation "
        "getStripeBillingDetails: $.invoices[0].createdAt: 'yesterday' is not a 'date-time'",
        "fixture organisation 'recalll.co' (seed 42), API stripe, operation "
        "getStripeBillingDetails: $.paymentMethods[0]: 'last4' is a required property",
    ]


def test_a_decimal_left_in_a_body_is_reported_by_path() -> None:
    def breaks(body: dict[str, Any]) -> None:
        body["data"]["invoices"][0]["totalAmount"] = Decimal("799.00")

    problems = _broken("cognita", "recalll.co", breaks)
    assert problems == [
        "fixture organisation 'recalll.co' (seed 42), API cognita, operation "
        "getOrganizationBilling: $.data.invoices[0].totalAmount: Decimal('799.00') is a "
        "Decimal, not a JSON value"
    ]


def test_a_null_is_accepted_only_where_the_contract_says_nullable() -> None:
    store = _store(42)
    store.reset()
    body = _razorpay_subscription(store, store.account("recalll.co"))
    assert contract("razorpay").problems("getMySubscription", {**body, "trialEnd": None}) == []
    assert contract("razorpay").problems("getMySubscription", {**body, "planId": None}) == [
        "$.planId: None for not nullable",
        "$.planId: None is not of type 'string'",
    ]
