"""Money: a `Decimal` amount in major units plus an ISO 4217 currency code.

Minor units follow each currency's ISO 4217 exponent (INR 2, JPY 0, KWD 3), read from
the `iso4217` package rather than assumed to be x100.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from iso4217 import Currency

from billing_mock.domain.errors import UnknownCurrency


@cache
def exponent(currency: str) -> int:
    """Number of minor-unit digits of an ISO 4217 currency (INR 2, JPY 0, KWD 3).

    Raises UnknownCurrency for a code that is not an ISO 4217 currency with an exponent
    (funds and metals such as XAU have none).
    """
    try:
        digits = Currency(currency.upper()).exponent
    except (ValueError, KeyError) as error:
        raise UnknownCurrency(currency) from error
    if digits is None:
        raise UnknownCurrency(currency)
    return int(digits)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in major units of `currency` (upper-case ISO 4217), rounded to its exponent.

    Build one with `Money.of("1150.30", "INR")` or `Money.from_minor_units(115030, "INR")`;
    floats are refused so that no binary rounding ever reaches an invoice.
    """

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str) -> Money:
        """Money from a Decimal, decimal string or int in major units, rounded half-up.

        Raises TypeError for a float and UnknownCurrency for an unknown code.
        """
        if isinstance(amount, float):
            raise TypeError("Money amounts are never floats; pass a Decimal or a string")
        code = currency.upper()
        return cls(_round(Decimal(amount), code), code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in `currency`."""
        return cls.of(0, currency)

    @classmethod
    def from_minor_units(cls, minor: int, currency: str) -> Money:
        """Money from an integer count of minor units (115030 INR paise is 1150.30 INR)."""
        code = currency.upper()
        return cls(Decimal(minor).scaleb(-exponent(code)), code)

    def minor_units(self) -> int:
        """The amount as an integer count of minor units (1150.30 INR is 115030)."""
        return int(self.amount.scaleb(exponent(self.currency)))

    def major_string(self) -> str:
        """The amount as a decimal string with the currency's digits ("1150.30", "1200")."""
        return f"{self.amount:.{exponent(self.currency)}f}"

    def percent(self, rate: Decimal) -> Money:
        """`rate` percent of this amount, rounded half-up to the minor unit."""
        return Money.of(self.amount * rate / 100, self.currency)

    def times(self, quantity: Decimal | int) -> Money:
        """This amount multiplied by `quantity`, rounded half-up to the minor unit."""
        return Money.of(self.amount * Decimal(quantity), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")


def total(amounts: list[Money], currency: str) -> Money:
    """Sum of `amounts`, all in `currency`; zero for an empty list."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def _round(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)
