"""Proration arithmetic, checked against exact fractions computed independently here."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from billing_mock.domain.models import BillingCycle
from billing_mock.domain.money import Money
from billing_mock.domain.proration import prorate, unused_fraction

START = datetime(2026, 11, 12, tzinfo=UTC)
END = datetime(2026, 12, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 15, 9, 30, tzinfo=UTC)
MONTHLY, YEARLY = BillingCycle.MONTHLY, BillingCycle.YEARLY


def _exact(price: str, digits: int) -> Decimal:
    """Price x (unused seconds / period seconds), rounded half-up, from exact fractions."""
    share = Fraction(int((END - NOW).total_seconds()), int((END - START).total_seconds()))
    value = Fraction(Decimal(price)) * share
    return Decimal(value.numerator / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
    )


def _change(  # type: ignore[no-untyped-def]
    old: str,
    new: str,
    currency: str,
    new_cycle: BillingCycle = MONTHLY,
    rate: str = "18",
    balance: str = "0",
):
    return prorate(
        old_plan="growth",
        old_price=Money.of(old, currency),
        old_cycle=MONTHLY,
        new_plan="scale",
        new_price=Money.of(new, currency),
        new_cycle=new_cycle,
        period=(START, END),
        new_period=(START, END) if new_cycle is MONTHLY else (NOW, NOW.replace(year=2027)),
        at=NOW,
        tax_rate=Decimal(rate),
        credit_balance=Money.of(balance, currency),
    )


def test_upgrade_credits_unused_time_and_charges_the_rest_of_the_period() -> None:
    change = _change("799.00", "4999.00", "INR")
    assert change.credit == Money.of(_exact("799.00", 2), "INR") == Money.of("708.56", "INR")
    assert change.charge == Money.of(_exact("4999.00", 2), "INR") == Money.of("4433.14", "INR")
    assert change.net == Money.of("3724.58", "INR")
    assert change.tax == Money.of("670.42", "INR")  # 18% of 3724.58 = 670.4244
    assert change.amount_due == Money.of("4395.00", "INR")
    assert (change.period_start, change.period_end) == (START, END)


def test_downgrade_is_a_credit_with_nothing_due() -> None:
    change = _change("4999.00", "799.00", "INR")
    assert change.net == Money.of("-3724.58", "INR")
    assert change.tax == Money.zero("INR")
    assert change.amount_due == Money.zero("INR")


def test_zero_decimal_currency_rounds_to_whole_yen() -> None:
    change = _change("3300", "14000", "JPY", rate="0")
    assert change.credit == Money.of(_exact("3300", 0), "JPY")
    assert change.credit.amount == change.credit.amount.to_integral_value()
    assert change.charge == Money.of(_exact("14000", 0), "JPY")
    assert change.amount_due == change.net


def test_new_billing_cycle_charges_a_whole_cycle_from_now() -> None:
    change = _change("29.00", "990.00", "USD", new_cycle=YEARLY, rate="0")
    assert change.credit == Money.of(_exact("29.00", 2), "USD")
    assert change.charge == Money.of("990.00", "USD")
    assert (change.period_start, change.period_end) == (
        NOW,
        datetime(2027, 11, 15, 9, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (START, Decimal(1)),
        (END, Decimal(0)),
        (datetime(2027, 1, 1, tzinfo=UTC), Decimal(0)),
        (datetime(2026, 11, 27, tzinfo=UTC), Decimal(1) / 2),
    ],
)
def test_unused_fraction_is_clamped_to_the_period(at: datetime, expected: Decimal) -> None:
    assert unused_fraction(START, END, at) == expected


def test_empty_period_is_refused() -> None:
    with pytest.raises(ValueError, match="empty billing period"):
        unused_fraction(END, START, NOW)


def test_credit_balance_pays_a_positive_net_before_tax() -> None:
    partial = _change("799.00", "4999.00", "INR", balance="1000.00")
    assert partial.net == Money.of("3724.58", "INR")
    assert partial.credit_applied == Money.of("1000.00", "INR")
    assert partial.tax == Money.of("490.42", "INR")  # 18% of 2724.58 = 490.4244
    assert partial.amount_due == Money.of("3215.00", "INR")
    whole = _change("799.00", "4999.00", "INR", balance="5000.00")
    assert whole.credit_applied == whole.net == Money.of("3724.58", "INR")
    assert (whole.tax, whole.amount_due) == (Money.zero("INR"), Money.zero("INR"))


def test_a_downgrade_uses_no_credit() -> None:
    change = _change("4999.00", "799.00", "INR", balance="100.00")
    assert change.credit_applied == Money.zero("INR")
    assert change.amount_due == Money.zero("INR")
