"""Subscription transitions on the domain, without HTTP: state machine rules and atomicity."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from billing_mock.data.stores import load_stores
from billing_mock.domain import billing, errors, lifecycle
from billing_mock.domain.models import (
    BillingCycle,
    Confirmation,
    Membership,
    OrderStatus,
    Role,
    SubscriptionStatus,
)
from billing_mock.domain.money import Money
from billing_mock.domain.store import Store
from billing_mock.domain.terms import UNPAID_ORDERS_KEPT

LUMEN = "lumen.studio"  # its trial lapsed: no active subscription
TINYLABS = "tinylabs.dev"  # in its trial: checkout is open too
RECALLL = "recalll.co"  # active on Growth, monthly


def _order(
    store: Store, coupon: str | None = None, handle: str = LUMEN, plan_id: str = "growth"
) -> str:
    plan, cycle = store.plan(plan_id), BillingCycle.MONTHLY
    found = store.coupon(coupon) if coupon else None
    _, order = store.update(
        handle,
        lambda a: lifecycle.checkout(a, plan, cycle, found, now=store.as_of, seed=store.seed),
    )
    return order.id


def _confirm(store: Store, order_id: str, payment_id: str, handle: str = LUMEN) -> Confirmation:
    return billing.confirm_checkout(store, handle, order_id, payment_id)[1]


def _owner(handle: str) -> Membership:
    return Membership(handle, Role.OWNER, "key", "session")


def test_checkout_prices_the_order_after_coupon_and_gst() -> None:
    store = load_stores(42).default
    order_id = _order(store, "launch20")  # codes match in any letter case
    order = store.account(LUMEN).orders[-1]
    assert order.id == order_id
    assert order.status is OrderStatus.CREATED
    assert (order.price.amount, order.discount.amount, order.tax.amount) == (
        Decimal("799.00"),
        Decimal("159.80"),
        Decimal("115.06"),  # 18% of 639.20 = 115.056
    )
    assert order.amount.amount == Decimal("754.26")


def test_confirm_activates_once_and_is_idempotent_for_the_same_payment() -> None:
    store = load_stores(42).default
    order_id = _order(store)
    first = _confirm(store, order_id, "pay_AAAAAAAAAAAAAA")
    again = _confirm(store, order_id, "pay_AAAAAAAAAAAAAA")
    account = store.account(LUMEN)
    assert again == first
    assert account.subscription.status is SubscriptionStatus.ACTIVE
    assert [p.id for p in account.payments] == ["pay_AAAAAAAAAAAAAA"]
    assert account.invoices[0].total == first.payment.amount
    with pytest.raises(errors.OrderAlreadyPaid):
        _confirm(store, order_id, "pay_BBBBBBBBBBBBBB")


def test_concurrent_confirms_of_one_order_record_one_payment() -> None:
    store = load_stores(42).default
    order_id = _order(store)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def confirm(payment_id: str) -> None:
        barrier.wait()
        try:
            _confirm(store, order_id, payment_id)
            outcomes.append("ok")
        except errors.OrderAlreadyPaid:
            outcomes.append("conflict")

    threads = [threading.Thread(target=confirm, args=(f"pay_{index:014d}",)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    assert len(store.account(LUMEN).payments) == 1
    assert len(store.account(LUMEN).invoices) == 1


def test_refused_transition_leaves_the_account_as_it_was() -> None:
    store = load_stores(42).default
    before = store.account("recalll.co")
    plan = store.plan("scale")
    with pytest.raises(errors.SubscriptionAlreadyActive):
        store.update(
            "recalll.co",
            lambda a: lifecycle.checkout(
                a, plan, BillingCycle.MONTHLY, None, now=store.as_of, seed=store.seed
            ),
        )
    with pytest.raises(errors.NotScheduledForCancellation):
        store.update("recalll.co", lambda a: (lifecycle.resume(a, now=store.as_of), None))
    assert store.account("recalll.co") is before


def test_expired_and_inapplicable_coupons_are_refused() -> None:
    store = load_stores(42).default
    with pytest.raises(errors.CouponExpired):
        _order(store, "DIWALI25")
    plan = store.plan("growth")
    with pytest.raises(errors.CouponNotApplicable):
        lifecycle.checkout(
            store.account(LUMEN),
            plan,
            BillingCycle.MONTHLY,
            store.coupon("YEARLY15"),
            now=store.as_of,
            seed=store.seed,
        )
    with pytest.raises(errors.CouponNotFound):
        store.coupon("NOPE")
    assert store.account(LUMEN).orders == ()


def test_reset_forgets_every_change() -> None:
    store = load_stores(42).default
    before = store.account(LUMEN)
    _confirm(store, _order(store), "pay_AAAAAAAAAAAAAA")
    store.reset()
    assert store.account(LUMEN) == before


# --- issue 14 -----------------------------------------------------------------------------


def test_a_replayed_confirmation_is_the_first_one_after_later_changes() -> None:
    store = load_stores(42).default
    order_id = _order(store)
    first = _confirm(store, order_id, "pay_AAAAAAAAAAAAAA")
    billing.change_plan(store, _owner(LUMEN), "scale")
    store.update(LUMEN, lambda a: (lifecycle.cancel(a, at_period_end=False, now=store.as_of), None))
    again = _confirm(store, order_id, "pay_AAAAAAAAAAAAAA")
    assert again == first
    assert (again.subscription.plan_id, again.subscription.status) == (
        "growth",
        SubscriptionStatus.ACTIVE,
    )
    assert store.account(LUMEN).subscription.status is SubscriptionStatus.CANCELED


def test_one_payment_id_is_captured_once_across_organisations_even_at_once() -> None:
    store = load_stores(42).default
    orders = {LUMEN: _order(store), TINYLABS: _order(store, handle=TINYLABS)}
    before = {handle: store.account(handle) for handle in orders}
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(len(orders))

    def confirm(handle: str) -> None:
        barrier.wait()
        try:
            _confirm(store, orders[handle], "pay_SHARED00000001", handle)
            outcomes[handle] = "ok"
        except errors.PaymentAlreadyCaptured:
            outcomes[handle] = "conflict"

    threads = [threading.Thread(target=confirm, args=(handle,)) for handle in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    loser = next(handle for handle, outcome in outcomes.items() if outcome == "conflict")
    assert store.account(loser) is before[loser]
    assert store.payment_captured("pay_SHARED00000001")
    # A reset forgets the payment, so the id may be captured again.
    store.reset()
    assert not store.payment_captured("pay_SHARED00000001")


def test_only_the_newest_unpaid_orders_are_kept_and_no_id_is_reused() -> None:
    store = load_stores(42).default
    made = [_order(store) for _ in range(UNPAID_ORDERS_KEPT + 5)]
    account = store.account(LUMEN)
    assert [order.id for order in account.orders] == made[-UNPAID_ORDERS_KEPT:]
    assert len(set(made)) == len(made)
    assert account.orders_created == len(made)
    with pytest.raises(errors.OrderNotFound):
        _confirm(store, made[0], "pay_AAAAAAAAAAAAAA")
    _confirm(store, made[-1], "pay_AAAAAAAAAAAAAA")
    # The paid order stays whatever follows; after the subscription ends, new orders
    # drop only unpaid ones.
    store.update(LUMEN, lambda a: (lifecycle.cancel(a, at_period_end=False, now=store.as_of), None))
    later = [_order(store) for _ in range(UNPAID_ORDERS_KEPT + 1)]
    kept = store.account(LUMEN).orders
    assert [order.id for order in kept if order.status is OrderStatus.PAID] == [made[-1]]
    assert [order.id for order in kept if order.status is OrderStatus.CREATED] == later[1:]
    assert _confirm(store, made[-1], "pay_AAAAAAAAAAAAAA").payment.id == "pay_AAAAAAAAAAAAAA"


def test_checkout_prices_credit_in_and_confirm_takes_it_from_the_balance() -> None:
    store = load_stores(42).default
    billing.change_plan(store, _owner(RECALLL), "starter")  # 266.04 of credit
    store.update(
        RECALLL, lambda a: (lifecycle.cancel(a, at_period_end=False, now=store.as_of), None)
    )
    credit = Money.of("266.04", "INR")
    assert store.account(RECALLL).credit == credit
    order_id = _order(store, handle=RECALLL)  # Growth monthly, 799.00
    order = store.account(RECALLL).orders[-1]
    assert (order.credit, order.tax, order.amount) == (
        credit,
        Money.of("95.93", "INR"),  # 18% of 532.96 = 95.9328
        Money.of("628.89", "INR"),
    )
    assert store.account(RECALLL).credit == credit  # only priced in so far
    result = _confirm(store, order_id, "pay_AAAAAAAAAAAAAA", RECALLL)
    assert [line.amount for line in result.invoice.line_items] == [
        Money.of("799.00", "INR"),
        Money.of("-266.04", "INR"),
    ]
    assert result.invoice.total == result.payment.amount == order.amount
    assert result.credit_balance == store.account(RECALLL).credit == Money.zero("INR")


def test_an_order_priced_with_credit_used_since_is_refused_and_changes_nothing() -> None:
    store = load_stores(42).default
    billing.change_plan(store, _owner(RECALLL), "starter")
    end_now = lambda a: (lifecycle.cancel(a, at_period_end=False, now=store.as_of), None)  # noqa: E731
    store.update(RECALLL, end_now)
    first, second = _order(store, handle=RECALLL), _order(store, handle=RECALLL)
    _confirm(store, first, "pay_AAAAAAAAAAAAAA", RECALLL)
    store.update(RECALLL, end_now)
    before = store.account(RECALLL)
    with pytest.raises(errors.CreditUnavailable):
        _confirm(store, second, "pay_BBBBBBBBBBBBBB", RECALLL)
    assert store.account(RECALLL) is before


def test_the_plan_change_role_rule_is_the_same_for_every_caller() -> None:
    store = load_stores(42).default
    before = store.account(RECALLL)
    member = Membership(RECALLL, Role.MEMBER, "key", "session")
    with pytest.raises(errors.RoleRequired):
        billing.change_plan(store, member, "scale")
    with pytest.raises(errors.RoleRequired):
        billing.change_plan(store, member, "no-such-plan")  # the role is checked first
    assert store.account(RECALLL) is before
    for role in (Role.ADMIN, Role.SUPER_ADMIN):
        store.reset()
        billing.change_plan(store, Membership(RECALLL, role, "key", "session"), "scale")
        assert store.account(RECALLL).subscription.plan_id == "scale"
