"""Subscription transitions: checkout, confirm, plan change, cancel, resume and staff edits.

Each function takes an organisation's Account and returns the changed Account with what
the caller shows. Every check runs before anything new is built, and Accounts are
immutable, so a refused transition changes nothing; the Store applies them one at a time
under its lock (`Store.update`). Source: seed 003 (Razorpay-backed subscription billing).

    (trial, or ended) --checkout--> order --confirm--> active --cancel(at period end)--> active,
    cancelling --resume--> active;  active --cancel(now)--> ended;  active --plan change--> active

Credit from downgrades (`Account.credit`) pays the next charge, a plan change's or a
checkout's, before tax: a negative `proration.CREDIT_APPLIED` line on its invoice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from billing_mock.domain.errors import (
    CancellationAlreadyScheduled,
    CouponExpired,
    CouponNotApplicable,
    CreditUnavailable,
    NoActiveSubscription,
    NotScheduledForCancellation,
    OrderAlreadyPaid,
    OrderNotFound,
    PaymentAlreadyCaptured,
    PlanUnchanged,
    SubscriptionAlreadyActive,
    SubscriptionEnded,
)
from billing_mock.domain.identifiers import processor_id, stable_uuid
from billing_mock.domain.invoicing import next_invoice
from billing_mock.domain.models import (
    Account,
    BillingCycle,
    Confirmation,
    Coupon,
    Invoice,
    LineItem,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from billing_mock.domain.money import Money
from billing_mock.domain.proration import (
    Proration,
    credit_lines,
    credit_to_apply,
    of_plan_change,
)
from billing_mock.domain.tax import tax_on, tax_rate
from billing_mock.domain.terms import CYCLE_LENGTH, UNPAID_ORDERS_KEPT


@dataclass(frozen=True, slots=True)
class PlanChange:
    """A plan change: the subscription after it, its proration, the invoice of a positive
    net and the payment of a positive amount due (None when there is none to invoice or pay).
    """

    subscription: Subscription
    proration: Proration
    invoice: Invoice | None
    payment: Payment | None


def coupon_discount(coupon: Coupon, price: Money, cycle: BillingCycle, now: datetime) -> Money:
    """The coupon's discount on `price` (one cycle, major units), rounded half-up.

    Raises CouponExpired outside its validity window, CouponNotApplicable for a cycle it
    does not cover.
    """
    if not coupon.valid_from <= now <= coupon.valid_until:
        raise CouponExpired(coupon.code)
    if cycle not in coupon.billing_cycles:
        raise CouponNotApplicable(coupon.code, cycle.value)
    return price.percent(coupon.percent_off)


def checkout(
    account: Account,
    plan: Plan,
    cycle: BillingCycle,
    coupon: Coupon | None,
    *,
    now: datetime,
    seed: int,
) -> tuple[Account, Order]:
    """Create a checkout order for one `cycle` of `plan`, after `coupon` and the account's
    credit (up to the discounted price; deducted when confirmed), plus tax on the rest.

    Only the newest UNPAID_ORDERS_KEPT unpaid orders are kept (an older one's confirm is
    OrderNotFound, as is one the billing clock expired). Allowed during a trial, after
    the subscription ended or once dunning halted it; raises
    SubscriptionAlreadyActive while a paid one runs, and coupon_discount's errors.
    """
    _require_no_paid_subscription(account.subscription)
    org = account.organisation
    price = plan.price(org.currency, cycle)
    discount = coupon_discount(coupon, price, cycle, now) if coupon else Money.zero(org.currency)
    credit = credit_to_apply(price - discount, account.credit)
    order = Order(
        # The count of orders ever made, not of those kept, so a dropped id never returns.
        id=processor_id("order", 14, seed, org.id, account.orders_created),
        plan_id=plan.id,
        billing_cycle=cycle,
        description=f"{plan.name} plan, {cycle.value}",
        price=price,
        discount=discount,
        credit=credit,
        tax=tax_on(price - discount - credit, tax_rate(org.country, org.currency)),
        coupon_code=coupon.code if coupon else None,
        created_at=now,
    )
    count, orders = account.orders_created + 1, _newest_unpaid((*account.orders, order))
    return dataclasses.replace(account, orders=orders, orders_created=count), order


def confirm(
    account: Account,
    order_id: str,
    payment_id: str,
    *,
    now: datetime,
    seed: int,
    captured: Callable[[str], bool],
) -> tuple[Account, Confirmation]:
    """Record `payment_id` against order `order_id`: a paid invoice (less the credit the
    order deducted), a captured payment, and the subscription active on the order's plan
    from `now` for one cycle. `captured(payment_id)` says whether the gateway captured
    that payment already, in any organisation (`Store.payment_captured`).

    Idempotent: the same payment for a paid order returns what its first confirmation
    returned, whatever changed since, and changes nothing. Raises OrderNotFound (none,
    or an unpaid one dropped for newer ones), OrderAlreadyPaid (another payment paid it),
    PaymentAlreadyCaptured, SubscriptionAlreadyActive and CreditUnavailable.
    """
    order = _order(account, order_id)
    if order.confirmation is not None:
        if order.payment_id != payment_id:
            raise OrderAlreadyPaid(order.id, order.payment_id or "")
        return account, order.confirmation
    if captured(payment_id):
        raise PaymentAlreadyCaptured(payment_id)
    _require_no_paid_subscription(account.subscription)
    if order.credit.amount > account.credit.amount:
        raise CreditUnavailable()
    coupon = f" (coupon {order.coupon_code})" if order.coupon_code else ""
    charged = order.price - order.discount
    end = now + CYCLE_LENGTH[order.billing_cycle]
    lines = (LineItem(order.description + coupon, 1, charged, charged), *credit_lines(order.credit))
    invoice = next_invoice(
        account, lines, order.tax, (now, end), issued_at=now, due_at=now, paid_at=now
    )
    payment = Payment(
        payment_id, order.id, invoice.reference, invoice.total, PaymentStatus.CAPTURED, "card", now
    )
    subscription = _activated(account, order, now, end, seed)
    result = Confirmation(subscription, payment, invoice, account.credit - order.credit)
    paid = dataclasses.replace(
        order,
        status=OrderStatus.PAID,
        payment_id=payment_id,
        invoice_reference=invoice.reference,
        confirmation=result,
    )
    changed = dataclasses.replace(
        account,
        subscription=subscription,
        invoices=(invoice, *account.invoices),
        payments=(payment, *account.payments),
        orders=tuple(paid if item.id == order.id else item for item in account.orders),
        credit=result.credit_balance,
    )
    return changed, result


def change_plan(
    account: Account,
    old_plan: Plan,
    new_plan: Plan,
    cycle: BillingCycle,
    *,
    now: datetime,
    seed: int,
) -> tuple[Account, PlanChange]:
    """Move the subscription to `new_plan` billed every `cycle`, prorated at `now`.

    Same cycle: the period is kept, unused time of the old plan is credited and the
    new plan charged for the rest of it. New cycle: the period restarts at `now` and a
    whole new cycle is charged. A positive net uses the account's credit first and is
    invoiced (with a credit line); what is left, plus tax, is paid at once. A
    negative net becomes account credit. During a trial nothing is prorated. Raises
    NoActiveSubscription (ended, or halted after dunning) and PlanUnchanged (same plan
    and cycle).
    """
    current = account.subscription
    if current.has_ended or current.status is SubscriptionStatus.UNPAID:
        raise NoActiveSubscription()
    if (current.plan_id, current.billing_cycle) == (new_plan.id, cycle):
        raise PlanUnchanged()
    proration = of_plan_change(
        current, old_plan, new_plan, cycle, account.organisation, account.credit, at=now
    )
    subscription = dataclasses.replace(
        current,
        plan_id=new_plan.id,
        billing_cycle=cycle,
        current_period_start=proration.period_start,
        current_period_end=proration.period_end,
        # A new cycle starts its periods at the change; the same cycle keeps its anchor.
        anchor=current.anchor if cycle is current.billing_cycle else proration.period_start,
    )
    # An upgrade uses credit (credit_applied); a downgrade's negative net adds to it.
    credit = account.credit - proration.credit_applied
    if proration.net.amount < 0:
        credit = credit - proration.net
    changed = dataclasses.replace(account, subscription=subscription, credit=credit)
    if proration.net.amount <= 0:
        return changed, PlanChange(subscription, proration, None, None)
    names = f"{old_plan.name} to {new_plan.name}"
    invoice, payment = _prorated_charge(account, proration, names, seed)
    changed = dataclasses.replace(
        changed,
        invoices=(invoice, *account.invoices),
        payments=(payment, *account.payments) if payment else account.payments,
    )
    return changed, PlanChange(subscription, proration, invoice, payment)


def _prorated_charge(
    account: Account, proration: Proration, names: str, seed: int
) -> tuple[Invoice, Payment | None]:
    """The paid invoice of a plan change's positive net (`names`: "Growth to Scale"), with
    its credit line, and the payment of what is left due (None: credit paid it all).
    """
    now, end = proration.changed_at, proration.period_end
    description = f"{names}, prorated {now:%d %b %Y} to {end:%d %b %Y}"
    net = proration.net
    lines = (LineItem(description, 1, net, net), *credit_lines(proration.credit_applied))
    invoice = next_invoice(
        account, lines, proration.tax, (now, end), issued_at=now, due_at=now, paid_at=now
    )
    if proration.amount_due.amount <= 0:
        return invoice, None
    payment_id = processor_id(
        "pay", 14, seed, account.organisation.id, "charge", len(account.payments)
    )
    return invoice, Payment(
        payment_id, None, invoice.reference, invoice.total, PaymentStatus.CAPTURED, "card", now
    )


def cancel(account: Account, *, at_period_end: bool, now: datetime) -> Account:
    """Cancel at the end of the current period (the default) or at once.

    At period end the subscription stays active, stops renewing and says when it ends;
    at once it ends now. An immediate cancellation may follow a scheduled one. Raises
    NoActiveSubscription (already ended) and CancellationAlreadyScheduled (a second
    cancellation at period end).
    """
    current = account.subscription
    if current.has_ended:
        raise NoActiveSubscription()
    if at_period_end:
        if current.cancel_at_period_end:
            raise CancellationAlreadyScheduled()
        cancelled = dataclasses.replace(
            current, cancel_at_period_end=True, cancelled_at=now, auto_renew=False
        )
    else:
        cancelled = dataclasses.replace(
            current,
            status=SubscriptionStatus.CANCELED,
            cancel_at_period_end=False,
            cancelled_at=current.cancelled_at or now,
            ended_at=now,
            auto_renew=False,
        )
    return dataclasses.replace(account, subscription=cancelled)


def resume(account: Account, *, now: datetime) -> Account:
    """Undo a cancellation at period end, within the same period.

    Raises SubscriptionEnded (it ended, or its period is over) and
    NotScheduledForCancellation (nothing to undo).
    """
    current = account.subscription
    if current.has_ended or now >= current.current_period_end:
        raise SubscriptionEnded()
    if not current.cancel_at_period_end:
        raise NotScheduledForCancellation()
    resumed = dataclasses.replace(
        current, cancel_at_period_end=False, cancelled_at=None, auto_renew=True
    )
    return dataclasses.replace(account, subscription=resumed)


def edit(
    account: Account,
    plan: Plan | None = None,
    cycle: BillingCycle | None = None,
    notes: Mapping[str, str] | None = None,
) -> Account:
    """Platform staff's edit: set the plan or cycle (no proration, no invoice) or the notes.

    Setting the plan or cycle of an ended subscription raises SubscriptionEnded; notes
    replace the old ones whole.
    """
    current = account.subscription
    if (plan or cycle) and current.has_ended:
        raise SubscriptionEnded()
    edited = dataclasses.replace(
        current,
        plan_id=plan.id if plan else current.plan_id,
        billing_cycle=cycle or current.billing_cycle,
        notes=tuple(notes.items()) if notes is not None else current.notes,
    )
    return dataclasses.replace(account, subscription=edited)


def _require_no_paid_subscription(current: Subscription) -> None:
    if current.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        raise SubscriptionAlreadyActive()


def _order(account: Account, order_id: str) -> Order:
    """The order `order_id`; OrderNotFound when there is none or it expired unpaid."""
    for order in account.orders:
        if order.id == order_id and order.status is not OrderStatus.EXPIRED:
            return order
    raise OrderNotFound()


def _newest_unpaid(orders: tuple[Order, ...]) -> tuple[Order, ...]:
    """`orders` but the unpaid ones (expired included) older than the newest
    UNPAID_ORDERS_KEPT (paid ones stay: a replay of their confirmation returns what they
    keep).
    """
    unpaid = [order.id for order in orders if order.status is not OrderStatus.PAID]
    if len(unpaid) <= UNPAID_ORDERS_KEPT:
        return orders
    dropped = set(unpaid[: len(unpaid) - UNPAID_ORDERS_KEPT])
    return tuple(order for order in orders if order.id not in dropped)


def _activated(
    account: Account, order: Order, now: datetime, end: datetime, seed: int
) -> Subscription:
    current = account.subscription
    if current.status is SubscriptionStatus.TRIALING:
        identity, reference, started = current.id, current.reference, current.started_at
    else:
        identity = stable_uuid("subscription", account.organisation.id, order.id)
        reference = processor_id("sub", 14, seed, order.id)
        started = now
    return Subscription(
        id=identity,
        reference=reference,
        organisation=current.organisation,
        plan_id=order.plan_id,
        billing_cycle=order.billing_cycle,
        status=SubscriptionStatus.ACTIVE,
        started_at=started,
        current_period_start=now,
        current_period_end=end,
        trial_end=None,
        auto_renew=True,
        anchor=now,
    )
