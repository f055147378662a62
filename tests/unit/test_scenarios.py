"""Domain scenarios (issue 6): for every fixture organisation, each scenario holds, keeps
the account consistent, changes only what it is about and leaves the Store alone; and the
account it makes, rendered by every API as its handlers render it (reads and every
transition the state allows), validates against that API's response schemas.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from billing_mock.data.accounts import AccountGenerator
from billing_mock.data.fixtures import load_fixtures
from billing_mock.data.stores import load_stores
from billing_mock.domain import lifecycle, scenarios
from billing_mock.domain.errors import Conflict, InvalidRequest
from billing_mock.domain.models import (
    Account,
    BillingCycle,
    ChargeType,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    Organisation,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
    UsageSummary,
    start_of_day,
)
from billing_mock.domain.scenarios import (
    SCENARIOS,
    ScenarioNotApplicable,
    UnknownScenario,
    apply_scenario,
)
from billing_mock.domain.store import Store
from billing_mock.domain.tax import tax_on
from billing_mock.domain.terms import TRIAL
from tests.contract.test_fixture_validation import RENDERERS, failures

SEED = 42
FIXTURES = load_fixtures()
HANDLES = tuple(org.handle for org in FIXTURES.organisations)
UNINVOICED = {org.handle for org in FIXTURES.organisations if org.invoice_count == 0}
NAMES = tuple(SCENARIOS)
CASES = [pytest.param(name, handle, id=f"{name}-{handle}") for name in NAMES for handle in HANDLES]

HISTORY = {"invoices", "payments", "orders", "subscription", "billing_account"}
CHANGES = {
    "overdue-invoice": HISTORY,
    "failed-payment": HISTORY,
    "expired-card": {"payment_methods", "billing_account"},
    "trial-ending": HISTORY | {"credit", "payment_methods"},
    "cancelled-at-period-end": {"subscription", "billing_account"},
    "no-payment-method": {"payment_methods"},
    "empty-invoice-history": HISTORY | {"credit"},
}
"""The Account fields each scenario may change (usage follows the subscription's period)."""


@functools.cache
def _store() -> Store:
    return load_stores(SEED).default


def _applied(name: str, handle: str) -> tuple[Account, Account, datetime]:
    """(the fixture account, the account in scenario `name`, now), the plan passed in."""
    store = _store()
    before = store.account(handle)
    plan = store.plan(before.subscription.plan_id)
    return before, apply_scenario(before, name, store.as_of, plan=plan), store.as_of


def _newest_subscription_invoice(account: Account) -> Invoice | None:
    return next((i for i in account.invoices if i.charge_type is ChargeType.SUBSCRIPTION), None)


def _for(account: Account, invoice: Invoice) -> list[PaymentStatus]:
    return [p.status for p in account.payments if p.invoice_reference == invoice.reference]


# --- what each scenario says ---------------------------------------------------------------


def _overdue(before: Account, after: Account, now: datetime) -> None:
    invoice = _newest_subscription_invoice(after)
    assert invoice is not None
    assert (invoice.status, invoice.paid_at) == (InvoiceStatus.OPEN, None)
    assert invoice.issued_at < invoice.due_at < now
    assert _for(after, invoice) == []
    assert after.subscription.status is SubscriptionStatus.ACTIVE
    assert after.billing_account.status == "active"
    was = _newest_subscription_invoice(before)
    if was is not None:
        assert (invoice.reference, invoice.line_items) == (was.reference, was.line_items)
        assert (invoice.period_start, invoice.period_end) == (was.period_start, was.period_end)


def _failed(before: Account, after: Account, now: datetime) -> None:
    invoice = _newest_subscription_invoice(after)
    assert invoice is not None
    assert (invoice.status, invoice.paid_at) == (InvoiceStatus.PAYMENT_FAILED, None)
    [payment] = [p for p in after.payments if p.invoice_reference == invoice.reference]
    assert (payment.status, payment.amount) == (PaymentStatus.FAILED, invoice.total)
    assert after.subscription.status is SubscriptionStatus.PAST_DUE
    assert after.billing_account.status == "past_due"


def _expired(before: Account, after: Account, now: datetime) -> None:
    [default] = [card for card in after.payment_methods if card.is_default]
    assert default.expired
    assert (default.exp_year, default.exp_month) < (now.year, now.month)
    assert all(card.expired for card in after.payment_methods)


def _trial_ending(before: Account, after: Account, now: datetime) -> None:
    current = after.subscription
    assert current.status is SubscriptionStatus.TRIALING
    assert current.trial_end == current.current_period_end == now + timedelta(days=2)
    assert not current.cancel_at_period_end
    # A new customer: a trial comes before any invoice, payment or credit.
    assert (after.invoices, after.payments, after.credit.amount) == ((), (), 0)
    start = current.current_period_start
    assert after.billing_account.created_at < start
    valid = [card for card in after.payment_methods if not card.expired]
    assert all(start <= card.created_at <= now for card in valid)


def _cancelling(before: Account, after: Account, now: datetime) -> None:
    current = after.subscription
    assert current.cancel_at_period_end
    assert (current.cancelled_at, current.auto_renew) == (now, False)
    assert not current.has_ended
    assert current.current_period_end > now
    was = before.subscription
    if was.has_ended:  # reopened: for its period if that still runs, else as a trial
        invoiced = _newest_subscription_invoice(before) is not None
        runs = was.current_period_end > now and invoiced
        assert current.status is (
            SubscriptionStatus.ACTIVE if runs else SubscriptionStatus.TRIALING
        )
    else:  # the status is kept: cancelling settles nothing
        assert current.status is was.status


def _no_payment_method(before: Account, after: Account, now: datetime) -> None:
    assert after.payment_methods == ()


def _empty_history(before: Account, after: Account, now: datetime) -> None:
    assert (after.invoices, after.payments) == ((), ())
    org, current = after.organisation, after.subscription
    began = start_of_day(org.trial_started or now.date() - timedelta(days=5))
    lapsed = began + timedelta(days=14) <= now
    assert (current.started_at, current.current_period_start) == (began, began)
    expected = SubscriptionStatus.CANCELED if lapsed else SubscriptionStatus.TRIALING
    assert current.status is expected


HOLDS: dict[str, Callable[[Account, Account, datetime], None]] = {
    "overdue-invoice": _overdue,
    "failed-payment": _failed,
    "expired-card": _expired,
    "trial-ending": _trial_ending,
    "cancelled-at-period-end": _cancelling,
    "no-payment-method": _no_payment_method,
    "empty-invoice-history": _empty_history,
}


# --- what every account must be ------------------------------------------------------------


def inconsistencies(account: Account, now: datetime) -> list[str]:
    """Every way the account contradicts itself (or "now"), one line each."""
    return [
        *_invoice_problems(account, now),
        *_payment_problems(account, now),
        *_subscription_problems(account, now),
        *_card_problems(account, now),
        *_order_problems(account),
    ]


def _invoice_problems(account: Account, now: datetime) -> Iterator[str]:
    invoices = account.invoices
    numbers = [i.number for i in invoices]
    if numbers and numbers != list(range(numbers[0], numbers[0] - len(numbers), -1)):
        yield f"invoice numbers are not consecutive, newest first: {numbers}"
    for newer, older in itertools.pairwise(invoices):
        if not newer.issued_at > older.issued_at:
            yield f"INV {newer.number} is issued before INV {older.number}"
    for i in invoices:
        where, statuses = f"INV {i.number}", _for(account, i)
        if {i.currency, i.tax.currency} != {account.organisation.currency}:
            yield f"{where}: currency {i.currency}"
        if any(line.amount != line.unit_price.times(line.quantity) for line in i.line_items):
            yield f"{where}: a line's amount is not its quantity times its unit price"
        if i.tax != tax_on(i.subtotal, i.tax_rate):
            yield f"{where}: tax {i.tax} is not {i.tax_rate}% of {i.subtotal}"
        if not i.issued_at < i.due_at or i.issued_at > now:
            yield f"{where}: issued {i.issued_at}, due {i.due_at}"
        if (i.status is InvoiceStatus.PAID) != (i.paid_at is not None):
            yield f"{where}: {i.status.value} with paid_at {i.paid_at}"
        if i.paid_at is not None and not i.issued_at <= i.paid_at <= now:
            yield f"{where}: paid at {i.paid_at}, issued at {i.issued_at}"
        expected = {
            InvoiceStatus.PAID: [PaymentStatus.CAPTURED],
            InvoiceStatus.PAYMENT_FAILED: [PaymentStatus.FAILED],
            InvoiceStatus.OPEN: [],
        }[i.status]
        if statuses[:1] != expected or PaymentStatus.CAPTURED in statuses[1:]:
            yield f"{where}: {i.status.value} with payments {[s.value for s in statuses]}"


def _payment_problems(account: Account, now: datetime) -> Iterator[str]:
    invoices = {i.reference: i for i in account.invoices}
    payments = account.payments
    if len({p.id for p in payments}) != len(payments):
        yield "payment ids repeat"
    if [p.created_at for p in payments] != sorted((p.created_at for p in payments), reverse=True):
        yield "payments are not newest first"
    for p in payments:
        invoice = invoices.get(p.invoice_reference)
        if invoice is None:
            yield f"{p.id}: for no invoice of the organisation"
            continue
        if not invoice.issued_at <= p.created_at <= now:
            yield f"{p.id}: made at {p.created_at}, its invoice issued at {invoice.issued_at}"
        if p.amount != invoice.total:
            yield f"{p.id}: {p.amount} for an invoice of {invoice.total}"
        if p.status is PaymentStatus.CAPTURED and p.created_at != invoice.paid_at:
            yield f"{p.id}: captured at {p.created_at}, invoice paid at {invoice.paid_at}"


def _subscription_problems(account: Account, now: datetime) -> Iterator[str]:
    current, customer = account.subscription, account.billing_account
    status, newest = current.status, _newest_subscription_invoice(account)
    runs = current.current_period_start <= now < current.current_period_end
    if status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        failed = newest is not None and newest.status is InvoiceStatus.PAYMENT_FAILED
        if newest is None or failed != (status is SubscriptionStatus.PAST_DUE):
            yield f"{status.value} with newest subscription invoice {newest}"
        if not runs or current.trial_end or current.ended_at:
            yield f"{status.value}: period, trial end or end date wrong: {current}"
    if status is SubscriptionStatus.TRIALING:
        if not runs or current.trial_end != current.current_period_end or current.ended_at:
            yield f"trialing: period or trial end wrong: {current}"
        if any(i.issued_at >= current.current_period_start for i in account.invoices):
            yield "trialing, with an invoice issued during the trial"
    if status is SubscriptionStatus.CANCELED and (
        current.ended_at is None or current.ended_at > now or current.cancel_at_period_end
    ):
        yield f"ended, but: {current}"
    if current.cancel_at_period_end and (current.cancelled_at is None or current.auto_renew):
        yield f"cancelling, but: {current}"
    if customer.status != ("past_due" if status is SubscriptionStatus.PAST_DUE else "active"):
        yield f"customer {customer.status} with a {status.value} subscription"
    if not customer.created_at <= current.started_at <= current.current_period_start:
        yield f"customer {customer.created_at}, subscription started {current.started_at}"
    yield from _usage_problems(account.usage, current)


def _usage_problems(usage: UsageSummary, current: Subscription) -> Iterator[str]:
    if (usage.period_start, usage.period_end) != (
        current.current_period_start,
        current.current_period_end,
    ):
        yield "usage is not measured over the current period"


def _card_problems(account: Account, now: datetime) -> Iterator[str]:
    cards = account.payment_methods
    if cards and sum(card.is_default for card in cards) != 1:
        yield "not exactly one default card"
    for card in cards:
        expiry = (card.exp_year, card.exp_month)
        if card.expired != (expiry < (now.year, now.month)):
            yield f"{card.id}: expired={card.expired}, expiry {expiry}"
        month_after = datetime(*expiry, 1, tzinfo=now.tzinfo) + timedelta(days=31)
        if not account.billing_account.created_at <= card.created_at <= now:
            yield f"{card.id}: added {card.created_at}, outside the customer's life"
        if card.created_at >= month_after.replace(day=1):
            yield f"{card.id}: added after it expired"


def _order_problems(account: Account) -> Iterator[str]:
    captured = {p.id for p in account.payments if p.status is PaymentStatus.CAPTURED}
    for order in account.orders:
        if (order.status is OrderStatus.PAID) != (order.payment_id in captured):
            yield f"{order.id}: {order.status.value}, paid by {order.payment_id}"
        if (order.status is OrderStatus.PAID) != (order.confirmation is not None):
            yield f"{order.id}: {order.status.value}, confirmation kept: {order.confirmation}"


# --- the tests ------------------------------------------------------------------------------


def test_the_generated_accounts_are_consistent() -> None:
    """The checks below hold for generation itself, so a failure is the scenario's."""
    store = _store()
    for handle in HANDLES:
        assert inconsistencies(store.account(handle), store.as_of) == [], handle


def test_the_checks_can_fail() -> None:
    store = _store()
    account = store.account("northwind.io")
    past_due = dataclasses.replace(
        account,
        payments=account.payments[1:],
        subscription=dataclasses.replace(account.subscription, status=SubscriptionStatus.PAST_DUE),
    )
    assert inconsistencies(past_due, store.as_of) == [
        "INV 65: paid with payments []",
        f"past_due with newest subscription invoice {account.invoices[0]}",
        "customer active with a past_due subscription",
    ]


@pytest.mark.parametrize(("name", "handle"), CASES)
def test_scenario_holds(name: str, handle: str) -> None:
    before, after, now = _applied(name, handle)
    HOLDS[name](before, after, now)


@pytest.mark.parametrize(("name", "handle"), CASES)
def test_scenario_leaves_the_account_consistent(name: str, handle: str) -> None:
    _, after, now = _applied(name, handle)
    assert inconsistencies(after, now) == []


@pytest.mark.parametrize(("name", "handle"), CASES)
def test_scenario_changes_only_what_it_is_about(name: str, handle: str) -> None:
    before, after, _ = _applied(name, handle)
    kept = {field.name for field in dataclasses.fields(Account)} - CHANGES[name] - {"usage"}
    changed = [field for field in sorted(kept) if getattr(after, field) != getattr(before, field)]
    assert changed == []


@pytest.mark.parametrize(("name", "handle"), CASES)
def test_scenario_is_idempotent(name: str, handle: str) -> None:
    store = _store()
    _, after, now = _applied(name, handle)
    plan = store.plan(after.subscription.plan_id)
    assert apply_scenario(after, name, now, plan=plan) == after


@pytest.mark.parametrize(("name", "handle"), CASES)
def test_scenario_leaves_the_store_unchanged(name: str, handle: str) -> None:
    store = _store()
    held = {h: store.account(h) for h in HANDLES}
    _applied(name, handle)
    assert all(store.account(h) is held[h] for h in HANDLES)
    fresh = load_stores(SEED).default
    assert all(held[h] == fresh.account(h) for h in HANDLES)
    assert [store.invoice_by_reference(i.reference)[1] for i in held[handle].invoices] == list(
        held[handle].invoices
    )


@pytest.mark.parametrize("first", NAMES)
@pytest.mark.parametrize("then", NAMES)
def test_scenarios_compose(first: str, then: str) -> None:
    """One scenario after another: the last one holds and the account stays consistent."""
    store = _store()
    for handle in HANDLES:
        _, middle, now = _applied(first, handle)
        plan = store.plan(middle.subscription.plan_id)
        after = apply_scenario(middle, then, now, plan=plan)
        HOLDS[then](middle, after, now)
        assert inconsistencies(after, now) == [], handle


@pytest.mark.parametrize("handle", sorted(UNINVOICED))
def test_empty_invoice_history_of_an_uninvoiced_organisation_is_as_generated(handle: str) -> None:
    before, after, _ = _applied("empty-invoice-history", handle)
    assert after == before


@pytest.mark.parametrize("name", ["overdue-invoice", "failed-payment"])
@pytest.mark.parametrize("handle", sorted(UNINVOICED))
def test_a_first_invoice_needs_the_plan(name: str, handle: str) -> None:
    store = _store()
    with pytest.raises(ScenarioNotApplicable) as raised:
        apply_scenario(store.account(handle), name, store.as_of)
    assert isinstance(raised.value, Conflict)
    assert raised.value.message == (
        f"Scenario '{name}' needs a subscription invoice, and the organization has none yet"
    )


@pytest.mark.parametrize("handle", sorted(UNINVOICED))
def test_a_first_invoice_is_one_cycle_of_the_plan_after_a_trial(handle: str) -> None:
    before, after, _ = _applied("overdue-invoice", handle)
    [invoice] = after.invoices
    plan = _store().plan(before.subscription.plan_id)
    assert invoice.number == before.organisation.first_invoice_number
    assert invoice.subtotal == plan.price(before.organisation.currency)
    current = after.subscription
    assert current.current_period_start == start_of_day(invoice.period_start)
    assert current.started_at == current.current_period_start - TRIAL


def test_an_invoice_within_its_terms_is_issued_in_advance_of_its_period() -> None:
    before, after, now = _applied("overdue-invoice", "recalll.co")
    was, invoice = before.invoices[0], after.invoices[0]
    assert was.due_at > now, "the fixture's newest invoice is still within its terms"
    assert invoice.due_at - invoice.issued_at == was.due_at - was.issued_at
    assert invoice.due_at.date() == now.date() - timedelta(days=1)
    assert invoice.issued_at < start_of_day(invoice.period_start)
    assert after.subscription == before.subscription


def test_an_overdue_invoice_stays_after_a_recent_top_up() -> None:
    store = _store()
    account = store.account("recalll.co")
    top_up = dataclasses.replace(
        account.invoices[1],
        charge_type=ChargeType.TOP_UP,
        issued_at=store.as_of - timedelta(days=4),
        due_at=store.as_of + timedelta(days=3),
        paid_at=store.as_of - timedelta(days=4) + timedelta(minutes=2),
    )
    account = dataclasses.replace(
        account, invoices=(account.invoices[0], top_up, *account.invoices[2:]), payments=()
    )
    after = apply_scenario(account, "overdue-invoice", store.as_of)
    invoice = after.invoices[0]
    assert top_up.issued_at < invoice.issued_at < invoice.due_at < store.as_of


def test_failed_payment_reopens_a_subscription_cancelled_at_once() -> None:
    store = _store()
    cancelled = lifecycle.cancel(
        store.account("northwind.io"), at_period_end=False, now=store.as_of
    )
    after = apply_scenario(cancelled, "failed-payment", store.as_of)
    assert after.subscription.status is SubscriptionStatus.PAST_DUE
    assert (after.subscription.ended_at, after.subscription.cancelled_at) == (None, None)
    assert inconsistencies(after, store.as_of) == []


def test_cancelling_at_period_end_reopens_one_cancelled_at_once_past_due_if_it_was() -> None:
    _, past_due, now = _applied("failed-payment", "sakura.jp")
    ended = lifecycle.cancel(past_due, at_period_end=False, now=now)
    after = apply_scenario(ended, "cancelled-at-period-end", now)
    assert after.subscription.status is SubscriptionStatus.PAST_DUE
    assert (after.subscription.cancel_at_period_end, after.subscription.ended_at) == (True, None)
    assert inconsistencies(after, now) == []


def test_expired_card_without_a_card_adds_an_expired_default_one() -> None:
    _, bare, now = _applied("no-payment-method", "sakura.jp")
    [card] = apply_scenario(bare, "expired-card", now).payment_methods
    assert (card.is_default, card.expired, card.last4) == (True, True, "0069")
    assert (card.exp_year, card.exp_month) == (2026, 10)


def test_unknown_scenario_names_the_known_ones() -> None:
    store = _store()
    with pytest.raises(UnknownScenario) as raised:
        apply_scenario(store.account("recalll.co"), "overdue", store.as_of)
    assert isinstance(raised.value, InvalidRequest)
    assert raised.value.message == (
        "Unknown scenario 'overdue'; known: overdue-invoice, failed-payment, expired-card, "
        "trial-ending, cancelled-at-period-end, no-payment-method, empty-invoice-history"
    )


def test_scenarios_are_named_described_and_listed_in_the_documented_order() -> None:
    documented = re.findall(r"^    ([a-z]+(?:-[a-z]+)+)  ", scenarios.__doc__ or "", re.M)
    assert documented == list(SCENARIOS)
    for name, scenario in SCENARIOS.items():
        assert scenario.name == name
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name)
        assert re.fullmatch(r"[A-Z][^.]*[^ ]\.", scenario.description), scenario.description


# --- every API shows a scenario as its contract says ---------------------------------------


class ScenarioSource:
    """Generates accounts as `build_store` does, each then put in one scenario."""

    def __init__(self, name: str, seed: int, as_of: datetime) -> None:
        self._name, self._as_of = name, as_of
        self._generator = AccountGenerator(seed, as_of)

    def account(self, org: Organisation, plan: Plan) -> Account:
        generated = self._generator.account(org, plan)
        return apply_scenario(generated, self._name, self._as_of, plan=plan)

    def usage(self, org: Organisation, plan: Plan, subscription: Subscription) -> UsageSummary:
        return self._generator.usage(org, plan, subscription)


@functools.cache
def scenario_store(name: str) -> Store:
    """A Store whose every organisation is in scenario `name`, also after `reset()`."""
    return Store(
        organisations=FIXTURES.organisations,
        plans=FIXTURES.plans,
        users=FIXTURES.users,
        coupons=FIXTURES.coupons,
        gateway=FIXTURES.gateway,
        source=ScenarioSource(name, SEED, FIXTURES.as_of),
        seed=SEED,
        as_of=FIXTURES.as_of,
    )


@pytest.mark.parametrize(("name", "handle"), CASES)
@pytest.mark.parametrize("api", sorted(RENDERERS))
def test_scenario_rendered_by_api_matches_its_response_schemas(
    name: str, handle: str, api: str
) -> None:
    store = scenario_store(name)
    store.reset()
    problems = failures(SEED, handle, api, RENDERERS[api](store, handle))
    assert not problems, "\n".join([f"scenario {name}:", *problems[:25]])


@pytest.mark.parametrize("name", ["overdue-invoice", "failed-payment", "trial-ending"])
def test_an_order_a_scenario_unpays_keeps_no_confirmation(name: str) -> None:
    store = _store()
    account = store.account("lumen.studio")
    growth = store.plan("growth")
    ordered, order = lifecycle.checkout(
        account, growth, BillingCycle.MONTHLY, None, now=store.as_of, seed=SEED
    )
    paid, _ = lifecycle.confirm(
        ordered,
        order.id,
        "pay_Test0000000001",
        now=store.as_of,
        seed=SEED,
        captured=lambda _: False,
    )
    shown = apply_scenario(paid, name, store.as_of, plan=growth)
    assert [order.status for order in shown.orders] == [OrderStatus.CREATED]
    assert list(_order_problems(shown)) == []
