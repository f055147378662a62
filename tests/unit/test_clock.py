"""The billing clock on the domain, without HTTP: renewals, dunning, trials, cancels,
credit, calendar edges, JPY, orders and cards expiring, and the Store's whole move.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing_mock.data.stores import Stores, load_stores
from billing_mock.domain import billing, clock, errors, lifecycle
from billing_mock.domain.events import Decline, EventType
from billing_mock.domain.models import (
    Account,
    BillingCycle,
    InvoiceStatus,
    OrderStatus,
    PaymentStatus,
    Plan,
    SubscriptionStatus,
)
from billing_mock.domain.money import Money
from billing_mock.domain.store import Store
from billing_mock.domain.terms import ATTEMPTS

AS_OF = datetime(2026, 11, 15, 9, 30, tzinfo=UTC)
RECALLL = "recalll.co"  # Growth, monthly, INR with GST, billed on the 12th
TINYLABS = "tinylabs.dev"  # Starter, INR, on a trial that ends on 24 November
SAKURA = "sakura.jp"  # JPY, billed on the 1st


@pytest.fixture(scope="module")
def stores() -> Stores:
    return load_stores(42)


@pytest.fixture
def store(stores: Stores) -> Store:
    return stores.default.fork()


def _advance(
    store: Store, account: Account, to: datetime, declines: bool = False
) -> tuple[Account, list[EventType]]:
    after, events = clock.advance(
        account, start=store.now, to=to, plans=_plans(store), seed=store.seed, declines=declines
    )
    return after, [event.type for event in events]


def _plans(store: Store) -> dict[str, Plan]:
    return {plan: store.plan(plan) for plan in ("starter", "growth", "scale")}


def _in(stores: Stores, scenario: str, handle: str) -> Store:
    return stores.default.fork({handle: scenario})


def test_a_renewal_invoices_the_next_period_at_the_plan_price_with_gst_and_charges_it(
    store: Store,
) -> None:
    before = store.account(RECALLL)
    renewal = datetime(2026, 12, 12, tzinfo=UTC)
    after, kinds = _advance(store, before, renewal)
    assert kinds[-4:] == [
        EventType.INVOICE_CREATED,
        EventType.PAYMENT_SUCCEEDED,
        EventType.INVOICE_PAID,
        EventType.SUBSCRIPTION_RENEWED,
    ]
    invoice = after.invoices[0]
    assert invoice.number == before.invoices[0].number + 1
    assert (invoice.subtotal.amount, invoice.tax.amount, invoice.total.amount) == (
        Decimal("799.00"),
        Decimal("143.82"),  # 18% GST
        Decimal("942.82"),
    )
    assert (invoice.status, invoice.paid_at, invoice.issued_at) == (
        InvoiceStatus.PAID,
        renewal,
        renewal,
    )
    assert (invoice.period_start.isoformat(), invoice.period_end.isoformat()) == (
        "2026-12-12",
        "2027-01-12",
    )
    payment = after.payments[0]
    assert (payment.status, payment.amount, payment.invoice_reference) == (
        PaymentStatus.CAPTURED,
        invoice.total,
        invoice.reference,
    )
    current = after.subscription
    assert current.status is SubscriptionStatus.ACTIVE
    assert (current.current_period_start, current.current_period_end) == (
        renewal,
        datetime(2027, 1, 12, tzinfo=UTC),
    )


def test_nothing_happens_before_the_first_boundary(store: Store) -> None:
    account = store.account(RECALLL)
    after, kinds = _advance(store, account, AS_OF + timedelta(hours=1))
    assert (after, kinds) == (account, [])


def test_a_charge_on_an_expired_card_fails_and_dunning_retries_daily_then_halts(
    stores: Stores,
) -> None:
    store = _in(stores, "expired-card", RECALLL)
    account = store.account(RECALLL)
    renewal = datetime(2026, 12, 12, tzinfo=UTC)
    account, kinds = _advance(store, account, renewal)
    assert kinds[-3:] == [
        EventType.INVOICE_CREATED,
        EventType.PAYMENT_FAILED,
        EventType.SUBSCRIPTION_PAST_DUE,
    ]
    assert account.subscription.status is SubscriptionStatus.PAST_DUE
    assert account.billing_account.status == "past_due"
    assert account.invoices[0].status is InvoiceStatus.PAYMENT_FAILED
    assert account.dunning is not None
    assert (account.dunning.attempts, account.dunning.next_attempt_at) == (
        1,
        renewal + timedelta(days=1),
    )
    assert account.dunning.reason == Decline.EXPIRED_CARD.value
    plans = _plans(store)
    for attempt in range(2, ATTEMPTS + 1):
        day = renewal + timedelta(days=attempt - 1)
        account, events = clock.advance(
            account, start=day - timedelta(days=1), to=day, plans=plans, seed=42
        )
        assert [event.attempt for event in events if event.type is EventType.PAYMENT_FAILED] == [
            attempt
        ]
        assert events[0].at == day
    assert events[-1].type is EventType.SUBSCRIPTION_UNPAID
    assert account.subscription.status is SubscriptionStatus.UNPAID
    assert account.billing_account.status == "suspended"
    assert account.dunning is None
    failed = [p for p in account.payments if p.invoice_reference == account.invoices[0].reference]
    assert [p.status for p in failed] == [PaymentStatus.FAILED] * ATTEMPTS


def test_a_halted_subscription_is_invoiced_each_period_but_not_charged(stores: Stores) -> None:
    store = _in(stores, "expired-card", RECALLL)
    account, _ = _advance(store, store.account(RECALLL), datetime(2026, 12, 20, tzinfo=UTC))
    assert account.subscription.status is SubscriptionStatus.UNPAID
    payments = len(account.payments)
    plans = _plans(store)
    start, to = datetime(2026, 12, 20, tzinfo=UTC), datetime(2027, 1, 20, tzinfo=UTC)
    after, events = clock.advance(account, start=start, to=to, plans=plans, seed=42)
    assert [event.type for event in events] == [
        EventType.INVOICE_CREATED,
        EventType.INVOICE_OVERDUE,  # due seven days after it was issued, unpaid
    ]
    invoice = after.invoices[0]
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.due_at == datetime(2027, 1, 19, tzinfo=UTC)
    assert len(after.payments) == payments


def test_a_retry_that_succeeds_makes_the_subscription_active_again(stores: Stores) -> None:
    store = _in(stores, "no-payment-method", RECALLL)
    cards = stores.default.account(RECALLL).payment_methods
    renewal = datetime(2026, 12, 12, tzinfo=UTC)
    declined, kinds = _advance(store, store.account(RECALLL), renewal)
    assert EventType.PAYMENT_FAILED in kinds
    assert declined.payments == store.account(RECALLL).payments  # no card: no attempt made
    with_card = dataclasses.replace(declined, payment_methods=cards)
    plans = _plans(store)
    paid, events = clock.advance(
        with_card, start=renewal, to=renewal + timedelta(days=1), plans=plans, seed=42
    )
    assert [event.type for event in events] == [
        EventType.PAYMENT_SUCCEEDED,
        EventType.INVOICE_PAID,
        EventType.SUBSCRIPTION_ACTIVATED,
    ]
    assert paid.subscription.status is SubscriptionStatus.ACTIVE
    assert (paid.dunning, paid.billing_account.status) == (None, "active")
    assert paid.invoices[0].status is InvoiceStatus.PAID


def test_a_trial_with_a_card_converts_to_its_first_paid_period(store: Store) -> None:
    trial = store.account(TINYLABS)
    assert trial.subscription.status is SubscriptionStatus.TRIALING
    ends = trial.subscription.trial_end
    assert ends == datetime(2026, 11, 24, tzinfo=UTC)
    after, kinds = _advance(store, trial, ends)
    assert kinds == [
        EventType.TRIAL_ENDED,
        EventType.INVOICE_CREATED,
        EventType.PAYMENT_SUCCEEDED,
        EventType.INVOICE_PAID,
        EventType.SUBSCRIPTION_ACTIVATED,
    ]
    current = after.subscription
    assert (current.status, current.trial_end, current.id) == (
        SubscriptionStatus.ACTIVE,
        None,
        trial.subscription.id,
    )
    assert current.current_period_end == datetime(2026, 12, 24, tzinfo=UTC)
    assert after.invoices[0].total.amount == Decimal("588.82")  # 499.00 + 18% GST


def test_a_trial_without_a_card_lapses(store: Store) -> None:
    trial = dataclasses.replace(store.account(TINYLABS), payment_methods=())
    ends = datetime(2026, 11, 24, tzinfo=UTC)
    after, kinds = _advance(store, trial, ends + timedelta(days=40))
    assert kinds == [EventType.TRIAL_ENDED, EventType.SUBSCRIPTION_CANCELLED]
    assert after.subscription.status is SubscriptionStatus.CANCELED
    assert (after.subscription.ended_at, after.invoices) == (ends, ())


def test_a_cancel_at_period_end_takes_effect_at_period_end(stores: Stores) -> None:
    store = _in(stores, "cancelled-at-period-end", RECALLL)
    account = store.account(RECALLL)
    end = account.subscription.current_period_end
    after, kinds = _advance(store, account, end + timedelta(days=60))
    assert kinds[-1:] == [EventType.SUBSCRIPTION_CANCELLED]
    assert EventType.INVOICE_CREATED not in kinds
    assert (after.subscription.status, after.subscription.ended_at) == (
        SubscriptionStatus.CANCELED,
        end,
    )
    assert after.invoices == account.invoices


def test_credit_from_a_downgrade_is_deducted_from_the_renewal_before_tax(store: Store) -> None:
    account = dataclasses.replace(store.account(RECALLL), credit=Money.of("100.00", "INR"))
    after, _ = _advance(store, account, datetime(2026, 12, 12, tzinfo=UTC))
    invoice = after.invoices[0]
    assert [item.amount.amount for item in invoice.line_items] == [
        Decimal("799.00"),
        Decimal("-100.00"),
    ]
    assert (invoice.tax.amount, invoice.total.amount) == (Decimal("125.82"), Decimal("824.82"))
    assert after.credit.amount == 0
    assert after.payments[0].amount.amount == Decimal("824.82")


def test_credit_that_covers_a_renewal_pays_it_without_a_charge(store: Store) -> None:
    account = dataclasses.replace(store.account(RECALLL), credit=Money.of("1000.00", "INR"))
    after, kinds = _advance(store, account, datetime(2026, 12, 12, tzinfo=UTC))
    assert EventType.PAYMENT_SUCCEEDED not in kinds
    assert (after.invoices[0].status, after.invoices[0].total.amount) == (InvoiceStatus.PAID, 0)
    assert after.credit.amount == Decimal("201.00")
    assert after.payments == account.payments


def test_periods_keep_their_day_across_month_and_year_ends(store: Store) -> None:
    account = store.account(RECALLL)
    start, end = datetime(2026, 12, 31, tzinfo=UTC), datetime(2027, 1, 31, tzinfo=UTC)
    subscription = dataclasses.replace(
        account.subscription, current_period_start=start, current_period_end=end
    )
    account = dataclasses.replace(account, subscription=subscription)
    plans = _plans(store)
    after, _ = clock.advance(
        account, start=AS_OF, to=datetime(2027, 4, 1, tzinfo=UTC), plans=plans, seed=42
    )
    periods = [
        (invoice.period_start.isoformat(), invoice.period_end.isoformat())
        for invoice in after.invoices[:3]
    ]
    assert periods == [
        ("2027-03-31", "2027-04-30"),
        ("2027-02-28", "2027-03-31"),
        ("2027-01-31", "2027-02-28"),
    ]


def test_a_yen_renewal_has_no_minor_unit(store: Store) -> None:
    account = store.account(SAKURA)
    after, _ = _advance(store, account, datetime(2026, 12, 1, tzinfo=UTC))
    invoice = after.invoices[0]
    plan = store.plan(account.subscription.plan_id)
    assert invoice.total == plan.price("JPY")
    # Yen has no minor unit: the amount is whole yen, written with no decimals.
    assert invoice.total.amount.as_tuple().exponent == 0
    assert "." not in invoice.total.major_string()
    assert invoice.total.minor_units() == int(plan.price("JPY").amount)
    assert invoice.tax.amount == 0


def test_an_unpaid_order_expires_after_a_day_and_can_no_longer_be_confirmed(
    store: Store,
) -> None:
    lumen = "lumen.studio"
    plan = store.plan("growth")
    _, order = store.update(
        lumen,
        lambda a: lifecycle.checkout(
            a, plan, BillingCycle.MONTHLY, None, now=store.now, seed=store.seed
        ),
    )
    _, events = store.advance(AS_OF + timedelta(hours=23, minutes=59))
    assert EventType.ORDER_EXPIRED not in [event.type for event in events]
    _, events = store.advance(AS_OF + timedelta(days=1))
    assert [(e.type, e.order) for e in events if e.organisation == lumen] == [
        (EventType.ORDER_EXPIRED, order.id)
    ]
    assert store.account(lumen).orders[-1].status is OrderStatus.EXPIRED
    with pytest.raises(errors.OrderNotFound):
        billing.confirm_checkout(store, lumen, order.id, "pay_Z0000000000001")


def test_a_card_expires_when_its_expiry_month_is_over(store: Store) -> None:
    account = store.account(RECALLL)
    card = dataclasses.replace(account.payment_methods[0], exp_month=12, exp_year=2026)
    account = dataclasses.replace(account, payment_methods=(card, *account.payment_methods[1:]))
    after, kinds = _advance(store, account, datetime(2027, 1, 1, tzinfo=UTC))
    assert EventType.PAYMENT_METHOD_EXPIRED in kinds
    assert after.payment_methods[0].expired
    # The renewal of 12 January then fails on it.
    after, kinds = _advance(store, account, datetime(2027, 1, 12, tzinfo=UTC))
    assert kinds[-2:] == [EventType.PAYMENT_FAILED, EventType.SUBSCRIPTION_PAST_DUE]


def test_a_declining_scenario_fails_every_charge(store: Store) -> None:
    after, kinds = _advance(
        store, store.account(RECALLL), datetime(2026, 12, 12, tzinfo=UTC), declines=True
    )
    assert kinds[-2:] == [EventType.PAYMENT_FAILED, EventType.SUBSCRIPTION_PAST_DUE]
    assert after.dunning is not None
    assert after.dunning.reason == "card_declined"


def test_a_store_move_changes_every_organisation_in_time_order_with_ids(store: Store) -> None:
    previous, events = store.advance(datetime(2027, 1, 1, tzinfo=UTC))
    assert previous == AS_OF
    assert store.now == datetime(2027, 1, 1, tzinfo=UTC)
    assert [event.at for event in events] == sorted(event.at for event in events)
    assert len({event.id for event in events}) == len(events)
    assert {event.organisation for event in events} >= {RECALLL, TINYLABS, SAKURA}
    assert store.account(RECALLL).invoices[0].period_start.isoformat() == "2026-12-12"
    assert store.events() == events
    reference = store.account(RECALLL).invoices[0].reference
    assert store.invoice_by_reference(reference)[1] == store.account(RECALLL).invoices[0]


def test_the_same_moves_give_the_same_events_in_any_sandbox(stores: Stores) -> None:
    first, second = stores.default.fork(), stores.default.fork()
    moves = [datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)]
    assert [first.advance(to) for to in moves] == [second.advance(to) for to in moves]
    assert first.account(RECALLL) == second.account(RECALLL)


def test_the_clock_never_goes_back_or_too_far_and_a_refused_move_changes_nothing(
    store: Store,
) -> None:
    store.advance(datetime(2026, 12, 1, tzinfo=UTC))
    version, account = store.version, store.account(RECALLL)
    with pytest.raises(errors.ClockWentBack, match="2026-12-01T00:00:00Z"):
        store.advance(datetime(2026, 11, 30, tzinfo=UTC))
    with pytest.raises(errors.ClockOutOfRange, match="2036-11-15T09:30:00Z"):
        store.advance(datetime(2036, 11, 16, tzinfo=UTC))
    assert (store.version, store.now, store.account(RECALLL)) == (
        version,
        datetime(2026, 12, 1, tzinfo=UTC),
        account,
    )


def test_a_whole_reset_puts_the_clock_back_and_one_organisation_catches_up(
    store: Store,
) -> None:
    store.advance(datetime(2026, 12, 20, tzinfo=UTC))
    moved = store.account(RECALLL)
    store.reset(RECALLL)
    assert store.now == datetime(2026, 12, 20, tzinfo=UTC)
    assert store.account(RECALLL) == moved  # its start, run on to the clock's present
    store.reset()
    assert (store.now, store.events()) == (AS_OF, ())
    assert store.account(RECALLL).invoices[0].period_start.isoformat() == "2026-11-12"


def test_a_yearly_period_anchored_on_29_february_comes_back_to_it_in_a_leap_year(
    store: Store,
) -> None:
    account = store.account(TINYLABS)
    plan = store.plan(account.subscription.plan_id)
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    _, order = lifecycle.checkout(
        account, plan, BillingCycle.YEARLY, None, now=leap - timedelta(days=1), seed=42
    )
    ordered = dataclasses.replace(account, orders=(order,), orders_created=1)
    paid, _ = lifecycle.confirm(
        ordered, order.id, "pay_Leap0000000001", now=leap, seed=42, captured=lambda _: False
    )
    after, _ = clock.advance(
        paid, start=leap, to=datetime(2032, 3, 1, tzinfo=UTC), plans=_plans(store), seed=42
    )
    ends = sorted(invoice.period_end.isoformat() for invoice in after.invoices[:4])
    assert ends == ["2030-02-28", "2031-02-28", "2032-02-29", "2033-02-28"]
