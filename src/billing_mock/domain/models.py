"""The billing domain's entities: organisations, users, plans, invoices and line items."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from billing_mock.domain.money import Money, total


class InvoiceStatus(enum.Enum):
    """Where an invoice stands in collection; each API names these in its own words."""

    OPEN = "open"
    """Issued and awaiting payment."""
    PAID = "paid"
    """Settled in full."""
    PAYMENT_FAILED = "payment_failed"
    """Still open; the last payment attempt was declined."""


class ChargeType(enum.Enum):
    """What an invoice charges for."""

    SUBSCRIPTION = "subscription"
    """The monthly plan fee plus usage beyond what the plan includes."""
    TOP_UP = "top_up"
    """Prepaid credits bought outside the billing cycle."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A subscription plan; prices in major units per ISO 4217 currency."""

    id: str
    name: str
    monthly_price: dict[str, Decimal]
    usage_unit: str
    included_units: int
    overage_price: dict[str, Decimal]

    def price(self, currency: str) -> Money:
        """The monthly fee in `currency`; KeyError if the plan has no price in it."""
        return Money.of(self.monthly_price[currency], currency)

    def overage(self, currency: str) -> Money:
        """The price of one unit beyond the included ones, in `currency`, unrounded."""
        return Money(self.overage_price[currency], currency)


@dataclass(frozen=True, slots=True)
class Organisation:
    """A customer organisation, billed in one currency."""

    handle: str
    name: str
    currency: str
    country: str
    products: tuple[str, ...]
    plan_id: str
    invoice_count: int
    first_invoice_number: int
    billing_day: int


@dataclass(frozen=True, slots=True)
class User:
    """A person who calls the APIs, member of some organisations."""

    id: str
    email: str
    name: str
    memberships: frozenset[str]
    jwt: str
    api_token: str

    def is_member_of(self, handle: str) -> bool:
        """Whether the user belongs to the organisation with this handle."""
        return handle in self.memberships


@dataclass(frozen=True, slots=True)
class LineItem:
    """One charge on an invoice: `quantity` units at `unit_price`, `amount` before tax."""

    description: str
    quantity: int
    unit_price: Money
    amount: Money


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice: line items, the tax on their sum, and its collection state.

    `number` is the organisation's sequential invoice number (each API formats it);
    `subtotal` and `total` are derived from the line items and `tax`, never stored.
    """

    id: int
    number: int
    organisation: str
    charge_type: ChargeType
    status: InvoiceStatus
    currency: str
    line_items: tuple[LineItem, ...]
    tax: Money
    tax_rate: Decimal
    issued_at: datetime
    due_at: datetime
    paid_at: datetime | None
    period_start: date
    period_end: date

    @property
    def subtotal(self) -> Money:
        """Sum of the line items, before tax."""
        return total([item.amount for item in self.line_items], self.currency)

    @property
    def total(self) -> Money:
        """What the customer owes: subtotal plus tax."""
        return self.subtotal + self.tax
