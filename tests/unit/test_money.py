"""Money: Decimal amounts, ISO 4217 exponents, half-up rounding, no floats."""

from decimal import Decimal

import pytest

from billing_mock.domain.errors import UnknownCurrency
from billing_mock.domain.money import Money, exponent, total


@pytest.mark.parametrize(("code", "digits"), [("INR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_exponent_follows_iso_4217(code: str, digits: int) -> None:
    assert exponent(code) == digits


@pytest.mark.parametrize("code", ["XXY", "RUPEE", "XAU"])
def test_unknown_or_unitless_currency_is_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        exponent(code)


@pytest.mark.parametrize(
    ("major", "code", "minor", "text"),
    [
        ("1357.35", "INR", 135735, "1357.35"),
        ("1200", "JPY", 1200, "1200"),
        ("12.345", "KWD", 12345, "12.345"),
        ("0.5", "USD", 50, "0.50"),
    ],
)
def test_minor_and_major_units_round_trip(major: str, code: str, minor: int, text: str) -> None:
    money = Money.of(major, code)
    assert money.minor_units() == minor
    assert money.major_string() == text
    assert Money.from_minor_units(minor, code) == money


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert Money.of("207.054", "INR").major_string() == "207.05"
    assert Money.of("0.125", "USD").major_string() == "0.13"
    assert Money.of("10.5", "JPY").major_string() == "11"


def test_seed_gst_example() -> None:
    subtotal = Money.of("1150.30", "INR")
    tax = subtotal.percent(Decimal(18))
    assert (tax.major_string(), (subtotal + tax).major_string()) == ("207.05", "1357.35")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        Money.of(1.1, "USD")  # type: ignore[arg-type]


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError, match="INR"):
        Money.of("1", "INR") + Money.of("1", "USD")


def test_total_of_nothing_is_zero() -> None:
    assert total([], "JPY") == Money.of(0, "JPY")
    assert total([Money.of("1.10", "USD"), Money.of("2.25", "USD")], "USD").major_string() == "3.35"
