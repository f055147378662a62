"""Subscription transitions on the domain, without HTTP: state machine rules and atomicity."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from billing_mock.data.stores import load_stores
from billing_mock.domain import errors, lifecycle
from billing_mock.domain.models import BillingCycle, OrderStatus, SubscriptionStatus
from billing_mock.domain.store import Store

LUMEN = "lumen.studio"  # its trial lapsed: no active subscription


def _order(store: Store, coupon: str | None = None) -> str:
    plan, cycle = store.plan("growth"), BillingCycle.MONTHLY
    found = store.coupon(coupon) if coupon else None
    _, order = store.update(
        LUMEN, lambda a: lifecycle.checkout(a, plan, cycle, found, now=store.as_of, seed=store.seed)
    )
    return order.id


def _confirm(store: Store, order_id: str, payment_id: str) -> lifecycle.Confirmation:
    _, result = store.update(
        LUMEN,
        lambda a: lifecycle.confirm(a, order_id, payment_id, now=store.as_of, seed=store.seed),
    )
    return result


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
