"""Proration of a plan change: credit for the unused time of the old plan, charge for the new.

Seed 003 ("Plan change: proration is applied automatically"). Time is measured in whole
seconds, as Stripe and Razorpay prorate; every amount is a `Decimal` rounded half-up to
the currency's minor unit, never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from billing_mock.domain.models import BillingCycle
from billing_mock.domain.money import Money
from billing_mock.domain.tax import tax_on


@dataclass(frozen=True, slots=True)
class Proration:
    """What a plan change costs, over `period_start`..`period_end` from `changed_at`.

    `credit` is the unused time of the old plan, `charge` the new plan for the rest of
    the period (or a whole new cycle when the billing cycle changes), `net` their
    difference (negative: credit owed to the customer), `tax` the tax on a positive net.
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
    tax: Money

    @property
    def net(self) -> Money:
        """`charge` less `credit`; negative when the change is a downgrade."""
        return self.charge - self.credit

    @property
    def amount_due(self) -> Money:
        """What is charged now: the net plus tax when positive, else zero."""
        net = self.net
        return net + self.tax if net.amount > 0 else Money.zero(net.currency)


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
) -> Proration:
    """The Proration of moving from `old_price` per `old_cycle` to `new_price` per `new_cycle`.

    `period` is the current billing period, `new_period` the one after the change (the
    same period when the cycle is unchanged). Prices are one cycle's fee in major units;
    `tax_rate` is in percent. The credit is the old price times the unused fraction;
    the charge is the new price times the same fraction when the cycle is unchanged,
    else the whole new price (the period restarts).
    """
    fraction = unused_fraction(*period, at)
    credit = old_price.times(fraction)
    charge = new_price.times(fraction) if old_cycle is new_cycle else new_price
    net = charge - credit
    tax = tax_on(net, tax_rate) if net.amount > 0 else Money.zero(net.currency)
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
    return Proration(old_plan, new_plan, old_cycle, new_cycle, at, *period, zero, zero, zero)
