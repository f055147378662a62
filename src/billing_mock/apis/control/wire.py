"""Domain to the control API's JSON: camelCase, the domain's own words for statuses.

Amounts are strings in major units with the currency's ISO 4217 digits ("942.82",
"3300"); timestamps are ISO 8601 UTC to the second with `Z`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from billing_mock.apis.common.timestamps import utc_seconds
from billing_mock.data.stores import DEFAULT_SANDBOX
from billing_mock.domain.events import BillingEvent
from billing_mock.domain.models import (
    Account,
    Invoice,
    Membership,
    Order,
    Organisation,
    Payment,
    Role,
    Subscription,
    User,
)
from billing_mock.domain.scenarios import Scenario
from billing_mock.domain.store import Store
from billing_mock.server.exchanges import Body, Entry, Side
from billing_mock.server.masking import mask

T = TypeVar("T")

NEWEST = 5
"""How many of the newest invoices, payments and orders the state view lists."""

ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER, Role.SUPER_ADMIN)
"""The order members are listed in: the organisation's own people, then platform staff."""

_Secret = Callable[[User, Membership], str]
_CREDENTIALS: tuple[tuple[str, tuple[str, ...], str, str, _Secret], ...] = (
    # kind, the APIs that take it, its header, how its value is written there, and which
    # of the user's or the membership's secrets it is: fixtures/users.yaml's own key.
    ("jwt", ("unpod",), "Authorization", "jwt {}", lambda user, _: user.jwt),
    ("token", ("unpod",), "Authorization", "Token {}", lambda user, _: user.api_token),
    ("bearer", ("stripe", "cognita"), "Authorization", "Bearer {}", lambda user, _: user.bearer),
    ("apiKey", ("razorpay",), "X-API-Key", "{}", lambda _, member: member.api_key),
    ("session", ("razorpay",), "Cookie", "session={}", lambda _, member: member.session),
)
CREDENTIAL_APIS = frozenset(api for _, apis, *_ in _CREDENTIALS for api in apis)
"""The names of the APIs some fixture credential is for."""


def organisation_state(account: Account, scenario: str | None) -> dict[str, Any]:
    """The OrganisationState object: the account as the mock holds it now."""
    org = account.organisation
    return {
        "handle": org.handle,
        "id": org.id,
        "name": org.name,
        "currency": org.currency,
        "scenario": scenario,
        "subscription": subscription(account.subscription),
        "invoices": _summary(account.invoices, invoice),
        "payments": _summary(account.payments, payment),
        # Orders are kept oldest first; invoices and payments newest first.
        "orders": {
            **_summary(tuple(reversed(account.orders)), order),
            "created": account.orders_created,
        },
        "creditBalance": account.credit.major_string(),
    }


def subscription(item: Subscription) -> dict[str, Any]:
    """The SubscriptionState object."""
    return {
        "id": item.id,
        "reference": item.reference,
        "plan": item.plan_id,
        "billingCycle": item.billing_cycle.value,
        "status": item.status.value,
        "periodStart": utc_seconds(item.current_period_start),
        "periodEnd": utc_seconds(item.current_period_end),
        "cancelAtPeriodEnd": item.cancel_at_period_end,
        "endedAt": utc_seconds(item.ended_at) if item.ended_at else None,
    }


def invoice(item: Invoice) -> dict[str, Any]:
    """The InvoiceState object."""
    return {"number": item.number, "status": item.status.value, "total": item.total.major_string()}


def payment(item: Payment) -> dict[str, Any]:
    """The PaymentState object."""
    return {"id": item.id, "status": item.status.value, "amount": item.amount.major_string()}


def order(item: Order) -> dict[str, Any]:
    """The OrderState object."""
    return {"id": item.id, "status": item.status.value}


def scenarios(items: Iterable[Scenario]) -> dict[str, Any]:
    """The ScenarioList object."""
    return {"scenarios": [{"name": item.name, "description": item.description} for item in items]}


def reset(handles: Iterable[str]) -> dict[str, Any]:
    """The ResetResult object: the organisations returned to their fixtures' state."""
    return {"reset": list(handles)}


def sandbox(name: str, store: Store) -> dict[str, Any]:
    """The Sandbox object: `name`, the seed its data is generated for, the organisations
    in a scenario from its start (handle -> scenario), and whether it is `default`.
    """
    return {
        "name": name,
        "seed": store.seed,
        "scenarios": store.scenarios(),
        "default": name == DEFAULT_SANDBOX,
    }


def sandboxes(listing: Iterable[tuple[str, Store]]) -> dict[str, Any]:
    """The SandboxList object, of (name, Store) pairs in the order given."""
    return {"sandboxes": [sandbox(name, store) for name, store in listing]}


def clock(name: str, store: Store) -> dict[str, Any]:
    """The Clock object of sandbox `name`."""
    return {"sandbox": name, "now": utc_seconds(store.now), "start": utc_seconds(store.as_of)}


def moved(
    name: str, previous: datetime, now: datetime, happened: Iterable[BillingEvent]
) -> dict[str, Any]:
    """The ClockMoved object: sandbox `name`'s clock from `previous` to `now`, and what
    happened on the way (in the order given).
    """
    return {
        "sandbox": name,
        "previous": utc_seconds(previous),
        "now": utc_seconds(now),
        "events": [event(item) for item in happened],
    }


def events(happened: Iterable[BillingEvent]) -> dict[str, Any]:
    """The EventList object."""
    return {"events": [event(item) for item in happened]}


def event(item: BillingEvent) -> dict[str, Any]:
    """The BillingEvent object: the domain's words, every id present (null when none)."""
    return {
        "id": item.id,
        "at": utc_seconds(item.at),
        "organisation": item.organisation,
        "type": item.type.value,
        "subscription": item.subscription,
        "invoice": item.invoice,
        "payment": item.payment,
        "order": item.order,
        "paymentMethod": item.payment_method,
        "reason": item.reason.value if item.reason else None,
        "attempt": item.attempt,
    }


def _summary(items: Sequence[T], render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """`{count, newest}`: how many there are and the newest few, newest first."""
    return {"count": len(items), "newest": [render(item) for item in items[:NEWEST]]}


def credentials(store: Store) -> dict[str, Any]:
    """The CredentialList object: every organisation of `store`, in fixture order, with
    its members (by ROLES) and the credentials that act for it.
    """
    return {
        "organisations": [_organisation_credentials(store, org) for org in store.organisations()]
    }


def _organisation_credentials(store: Store, org: Organisation) -> dict[str, Any]:
    members = [
        (ROLES.index(member.role), user, member)
        for user in store.users()
        for member in user.memberships
        if member.organisation == org.handle
    ]
    members.sort(key=lambda item: item[0])
    return {
        "handle": org.handle,
        "id": org.id,
        "name": org.name,
        "currency": org.currency,
        "members": [
            {
                "email": user.email,
                "name": user.name,
                "role": member.role.value,
                "credentials": [
                    _credential(org, kind, apis, header, form, secret(user, member))
                    for kind, apis, header, form, secret in _CREDENTIALS
                ],
            }
            for _, user, member in members
        ],
    }


def _credential(
    org: Organisation, kind: str, apis: tuple[str, ...], header: str, form: str, secret: str
) -> dict[str, Any]:
    """The FixtureCredential object; Unpod's names the organisation in `Org-Handle`."""
    return {
        "kind": kind,
        "apis": list(apis),
        "header": header,
        "value": form.format(secret),
        "also": {"Org-Handle": org.handle} if "unpod" in apis else {},
        "masked": mask(secret),
    }


def requests(entries: Iterable[Entry], capacity: int) -> dict[str, Any]:
    """The RequestList object: `entries` in the order given, and the journal's capacity."""
    return {"requests": [journal_entry(entry) for entry in entries], "capacity": capacity}


def journal_entry(entry: Entry) -> dict[str, Any]:
    """The JournalEntry object; `receivedAt` to the millisecond (the wall clock's)."""
    credential = entry.credential
    return {
        "id": entry.id,
        "receivedAt": entry.received_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "status": entry.status,
        "latencyMs": entry.latency_ms,
        "sandbox": entry.sandbox,
        "scenario": entry.scenario,
        "credential": None
        if credential is None
        else {"kind": credential.kind, "masked": credential.masked},
        "request": _side(entry.request),
        "response": _side(entry.response),
    }


def _side(side: Side) -> dict[str, Any]:
    return {
        "headers": [{"name": name, "value": value} for name, value in side.headers],
        "body": _body(side.body),
    }


def _body(body: Body) -> dict[str, Any]:
    return {
        "mediaType": body.media_type,
        "size": body.size,
        "truncated": body.truncated,
        "text": body.text,
    }
