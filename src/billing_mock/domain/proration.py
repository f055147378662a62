"""Proration of a plan change (credit for the unused time of the old plan, charge for the
new), and how the account's credit pays a charge.

Seed 003 ("Plan change: proration is applied automatically"). Time is measured in whole
seconds, as Stripe and Razorpay prorate; every amount is a `Decimal` rounded half-up to
the currency's minor unit, never a float. The account's credit (from earlier downgrades,
themselves tax-exclusive) is deducted from a positive net before tax, as a credit note
reduces the taxable value: a downgrade and then an upgrade cost what the upgrade alone does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from billing_mock.domain.models import (
    BillingCycle,
    LineItem,
    Organisation,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from billing_mock.domain.money import Money
from billing_mock.domain.tax import tax_on, tax_rate
from billing_mock.domain.terms import CYCLE_LENGTH


@dataclass(frozen=True, slots=True)
class Proration:
    """What a plan change costs, over `period_start`..`period_end` from `changed_at`.

    `credit` is the unused time of the old plan, `charge` the new plan for the rest of
    the period (or a whole new cycle when the billing cycle changes), `net` their
    difference (negative: credit owed to the customer), `credit_applied` the account's
    credit balance used against a positive net (at most the net), `tax` the tax on
    `chargeable`, what is left of the net.
    """

    from_plan: str
    to_plan: str
    from_cycle: BillingCycle
    to_cycle: BillingCycle
    changed_at: datetime
    period_start: datetime
    period_end: datetime
    credit: Money
    charge: Money
    credit_applied: Money
    tax: Money

    @property
    def net(self) -> Money:
        """`charge` less `credit`; negative when the change is a downgrade."""
        return self.charge - self.credit

    @property
    def chargeable(self) -> Money:
        """`net` less `credit_applied`: what is taxed and charged when positive."""
        return self.net - self.credit_applied

    @property
    def amount_due(self) -> Money:
        """What is charged now: `chargeable` plus tax when positive, else zero."""
        left = self.chargeable
        return left + self.tax if left.amount > 0 else Money.zero(left.currency)


CREDIT_APPLIED = "Credit applied"
"""The invoice line, negative, of credit deducted from a charge: Razorpay and Stripe show
applied credit as an amount of its own, so every API listing line items shows this one."""


def credit_to_apply(amount: Money, balance: Money) -> Money:
    """How much of the credit `balance` pays for `amount`: all of it up to `amount`,
    nothing when `amount` is not positive (a downgrade adds credit, it uses none).
    """
    if amount.amount <= 0 or balance.amount <= 0:
        return Money.zero(amount.currency)
    return balance if balance.amount < amount.amount else amount


def credit_lines(applied: Money) -> tuple[LineItem, ...]:
    """The CREDIT_APPLIED invoice line (negative, quantity 1) for credit `applied` to a
    charge; none when nothing was applied.
    """
    if applied.amount <= 0:
        return ()
    minus = Money.zero(applied.currency) - applied
    return (LineItem(CREDIT_APPLIED, 1, minus, minus),)


def unused_fraction(start: datetime, end: datetime, at: datetime) -> Decimal:
    """The share of `start`..`end` still ahead at `at`, from 0 to 1, in whole seconds.

    Raises ValueError for an empty or reversed period.
    """
    total = int((end - start).total_seconds())
    if total <= 0:
        raise ValueError(f"empty billing period {start.isoformat()}..{end.isoformat()}")
    remaining = int((end - at).total_seconds())
    return Decimal(min(max(remaining, 0), total)) / Decimal(total)


def prorate(
    *,
    old_plan: str,
    old_price: Money,
    old_cycle: BillingCycle,
    new_plan: str,
    new_price: Money,
    new_cycle: BillingCycle,
    period: tuple[datetime, datetime],
    new_period: tuple[datetime, datetime],
    at: datetime,
    tax_rate: Decimal,
    credit_balance: Money | None = None,
) -> Proration:
    """The Proration of moving from `old_price` per `old_cycle` to `new_price` per `new_cycle`.

    `period` is the current billing period, `new_period` the one after the change (the
    same period when the cycle is unchanged). Prices are one cycle's fee in major units;
    `tax_rate` is in percent; `credit_balance` is the account's credit (default none).
    The credit is the old price times the unused fraction; the charge is the new price
    times the same fraction when the cycle is unchanged, else the whole new price (the
    period restarts). A positive net uses the balance first; tax is on what is left.
    """
    fraction = unused_fraction(*period, at)
    credit = old_price.times(fraction)
    charge = new_price.times(fraction) if old_cycle is new_cycle else new_price
    net = charge - credit
    applied = credit_to_apply(net, credit_balance or Money.zero(net.currency))
    left = net - applied
    tax = tax_on(left, tax_rate) if left.amount > 0 else Money.zero(net.currency)
    return Proration(
        from_plan=old_plan,
        to_plan=new_plan,
        from_cycle=old_cycle,
        to_cycle=new_cycle,
        changed_at=at,
        period_start=new_period[0],
        period_end=new_period[1],
        credit=credit,
        charge=charge,
        credit_applied=applied,
        tax=tax,
    )


def no_proration(
    *,
    old_plan: str,
    old_cycle: BillingCycle,
    new_plan: str,
    new_cycle: BillingCycle,
    period: tuple[datetime, datetime],
    at: datetime,
    currency: str,
) -> Proration:
    """A change that costs nothing (a plan change during a trial): every amount zero."""
    zero = Money.zero(currency)
    return Proration(old_plan, new_plan, old_cycle, new_cycle, at, *period, zero, zero, zero, zero)


def of_plan_change(
    current: Subscription,
    old_plan: Plan,
    new_plan: Plan,
    cycle: BillingCycle,
    org: Organisation,
    credit_balance: Money,
    *,
    at: datetime,
) -> Proration:
    """The Proration of moving `current` (on `old_plan`) to `new_plan` billed every `cycle`
    at `at`, in `org`'s currency and tax, using `credit_balance`: none during a trial,
    else `prorate` over the current period (a new cycle restarts the period at `at`).
    """
    period = (current.current_period_start, current.current_period_end)
    if current.status is SubscriptionStatus.TRIALING:
        return no_proration(
            old_plan=old_plan.id,
            old_cycle=current.billing_cycle,
            new_plan=new_plan.id,
            new_cycle=cycle,
            period=period,
            at=at,
            currency=org.currency,
        )
    same_cycle = cycle is current.billing_cycle
    return prorate(
        old_plan=old_plan.id,
        old_price=old_plan.price(org.currency, current.billing_cycle),
        old_cycle=current.billing_cycle,
        new_plan=new_plan.id,
        new_price=new_plan.price(org.currency, cycle),
        new_cycle=cycle,
        period=period,
        new_period=period if same_cycle else (at, at + CYCLE_LENGTH[cycle]),
        at=at,
        tax_rate=tax_rate(org.country, org.currency),
        credit_balance=credit_balance,
    )
