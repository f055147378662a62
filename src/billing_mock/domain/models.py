"""The billing domain's entities: organisations, users, plans, invoices and line items."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from billing_mock.domain.money import Money, total


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of `day`: how billing periods are shown as timestamps."""
    return datetime.combine(day, time(), tzinfo=UTC)


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


class BillingCycle(enum.Enum):
    """How often a subscription is billed."""

    MONTHLY = "monthly"
    YEARLY = "yearly"


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What a plan allows each month (Cognita's SubscriptionEntitlements)."""

    max_meetings_per_month: int
    ai_summary: bool
    recording_storage_gb: int


@dataclass(frozen=True, slots=True)
class Plan:
    """A subscription plan; prices in major units per ISO 4217 currency."""

    id: str
    name: str
    monthly_price: dict[str, Decimal]
    yearly_price: dict[str, Decimal]
    usage_unit: str
    included_units: int
    overage_price: dict[str, Decimal]
    entitlements: Entitlements

    def price(self, currency: str, cycle: BillingCycle = BillingCycle.MONTHLY) -> Money:
        """The fee of one `cycle` in `currency`; KeyError if the plan has no price in it."""
        prices = self.monthly_price if cycle is BillingCycle.MONTHLY else self.yearly_price
        return Money.of(prices[currency], currency)

    def is_free(self, currency: str) -> bool:
        """Whether the plan costs nothing in `currency`."""
        return self.price(currency).amount == 0

    def overage(self, currency: str) -> Money:
        """The price of one unit beyond the included ones, in `currency`, unrounded."""
        return Money(self.overage_price[currency], currency)


@dataclass(frozen=True, slots=True)
class Organisation:
    """A customer organisation, billed in one currency."""

    id: str
    handle: str
    name: str
    billing_email: str
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
    bearer: str

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
    `reference` is the payment processor's id (`in_...`), shown by the Stripe-backed and
    Cognita APIs;
    `subtotal` and `total` are derived from the line items and `tax`, never stored.
    """

    id: int
    reference: str
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


class SubscriptionStatus(enum.Enum):
    """Where a subscription stands."""

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    """The latest subscription invoice's payment failed."""
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class Subscription:
    """An organisation's current subscription to a plan; periods in UTC."""

    id: str
    organisation: str
    plan_id: str
    billing_cycle: BillingCycle
    status: SubscriptionStatus
    started_at: datetime
    current_period_start: datetime
    current_period_end: datetime
    trial_end: datetime | None
    auto_renew: bool


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """A card on file; `expired` relative to the mock's "now"."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool
    billing_name: str
    billing_email: str
    created_at: datetime
    expired: bool


@dataclass(frozen=True, slots=True)
class BillingAccount:
    """The organisation's customer record at the payment processor (`cus_...`)."""

    id: str
    provider: str
    status: str
    currency: str
    email: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """Usage in the current period, measured against the plan's entitlements."""

    period_start: datetime
    period_end: datetime
    meetings: int
    recording_storage_gb: int
    ai_summaries: int


@dataclass(frozen=True, slots=True)
class Account:
    """Everything billing knows of one organisation, as generation built it for a seed."""

    organisation: Organisation
    billing_account: BillingAccount
    subscription: Subscription
    payment_methods: tuple[PaymentMethod, ...]
    invoices: tuple[Invoice, ...]
    usage: UsageSummary
