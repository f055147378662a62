"""The billing domain's entities: organisations, users, plans, invoices, subscriptions,
orders, payments and coupons.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from billing_mock.domain.collection import Dunning
from billing_mock.domain.money import Money, total


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of `day`: how billing periods are shown as timestamps."""
    return datetime.combine(day, time(), tzinfo=UTC)


class InvoiceStatus(enum.Enum):
    """Where an invoice stands in collection, each API naming it in its own words: OPEN
    (issued, awaiting payment), PAID (settled in full), PAYMENT_FAILED (still open; the
    last payment attempt was declined).
    """

    OPEN = "open"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"


class ChargeType(enum.Enum):
    """What an invoice charges for: SUBSCRIPTION (the plan fee plus usage beyond what it
    includes) or TOP_UP (prepaid credits bought outside the billing cycle).
    """

    SUBSCRIPTION = "subscription"
    TOP_UP = "top_up"


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
    trial_started: date | None = None
    """For an organisation with no invoices: when its trial began (default: just now)."""
    scenario: str | None = None
    """A named domain scenario (domain/scenarios.py) it is always shown in."""


class Role(enum.Enum):
    """What a member may do in an organisation (seed 003's roles)."""

    SUPER_ADMIN = "super_admin"
    """Platform staff: sees every organisation's subscription and may do what an owner may."""
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's place in one organisation, with the credentials that act for it there.

    `api_key` (header) and `session` (cookie) are the Razorpay-backed API's credentials:
    each acts for exactly this organisation with this role.
    """

    organisation: str
    role: Role
    api_key: str
    session: str


@dataclass(frozen=True, slots=True)
class User:
    """A person who calls the APIs, member of some organisations."""

    id: str
    email: str
    name: str
    memberships: tuple[Membership, ...]
    jwt: str
    api_token: str
    bearer: str

    def is_member_of(self, handle: str) -> bool:
        """Whether the user belongs to the organisation with this handle."""
        return any(member.organisation == handle for member in self.memberships)


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

    def __hash__(self) -> int:
        """Of the fields that tell invoices apart; equality still compares every field."""
        # Wire forms are memoised by invoice: hashing each line item's Money was costly.
        return hash((self.id, self.reference, self.status, self.paid_at))

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
    """The latest subscription invoice's payment failed; retries are due (`Dunning`)."""
    UNPAID = "unpaid"
    """Every retry failed: nothing is charged, periods are invoiced open (Razorpay's halted)."""
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class Subscription:
    """An organisation's current subscription to a plan; periods in UTC.

    `reference` is the payment processor's id (`sub_...`). A cancellation at period end
    keeps the status and sets `cancel_at_period_end`; an immediate one ends it
    (CANCELED, `ended_at`). `notes` are free-form key/value pairs set by platform staff.
    """

    id: str
    reference: str
    organisation: str
    plan_id: str
    billing_cycle: BillingCycle
    status: SubscriptionStatus
    started_at: datetime
    current_period_start: datetime
    current_period_end: datetime
    trial_end: datetime | None
    auto_renew: bool
    cancel_at_period_end: bool = False
    cancelled_at: datetime | None = None
    ended_at: datetime | None = None
    notes: tuple[tuple[str, str], ...] = ()
    anchor: datetime | None = None
    """When its periods count from (each ends on this day, and month if yearly, clipped to
    a short month); None: as generated, on the fixture's `billing_day`."""

    @property
    def has_ended(self) -> bool:
        """Whether the subscription is over (cancelled immediately or its trial lapsed)."""
        return self.status is SubscriptionStatus.CANCELED


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


class PaymentStatus(enum.Enum):
    """Outcome of a payment attempt (Razorpay's words)."""

    CAPTURED = "captured"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment attempt against an invoice; `id` is the processor's (`pay_...`).

    `order_id` is the checkout order it paid (`order_...`), None for charges the
    processor made on its own (renewals, prorations). `method`: card, upi or netbanking.
    """

    id: str
    order_id: str | None
    invoice_reference: str
    amount: Money
    status: PaymentStatus
    method: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A confirmed checkout as its confirmation returned it: the activated subscription,
    the captured payment, the paid invoice and the account's credit balance just after.
    Kept on the paid Order, so confirming the same payment again returns it unchanged.
    """

    subscription: Subscription
    payment: Payment
    invoice: Invoice
    credit_balance: Money


class OrderStatus(enum.Enum):
    """A checkout order: created, then paid once a payment is confirmed."""

    CREATED = "created"
    PAID = "paid"
    EXPIRED = "expired"
    """Left unpaid past `terms.ORDER_VALIDITY`: it can no longer be confirmed."""


@dataclass(frozen=True, slots=True)
class Order:
    """A checkout order (`order_...`): one billing cycle of a plan, after coupon and the
    account's credit, plus tax on what is left.

    `payment_id`, `invoice_reference` and `confirmation` are set when it is paid.
    """

    id: str
    plan_id: str
    billing_cycle: BillingCycle
    description: str
    """What the order buys, as its invoice line reads ("Growth plan, monthly")."""
    price: Money
    discount: Money
    credit: Money
    """The account's credit the order is priced with (at most price less discount)."""
    tax: Money
    coupon_code: str | None
    created_at: datetime
    status: OrderStatus = OrderStatus.CREATED
    payment_id: str | None = None
    invoice_reference: str | None = None
    confirmation: Confirmation | None = None

    @property
    def amount(self) -> Money:
        """What the customer pays: price less discount and credit, plus tax."""
        return self.price - self.discount - self.credit + self.tax


@dataclass(frozen=True, slots=True)
class Coupon:
    """A percentage off one billing cycle's price before tax, valid in a time window."""

    code: str
    percent_off: Decimal
    valid_from: datetime
    valid_until: datetime
    billing_cycles: frozenset[BillingCycle]


@dataclass(frozen=True, slots=True)
class GatewayKeys:
    """The payment gateway's key pair: `key_id` is public, `key_secret` signs payments."""

    key_id: str
    key_secret: str


@dataclass(frozen=True, slots=True)
class Account:
    """Everything billing knows of one organisation: generated per seed, then changed by
    the subscription lifecycle (orders, payments, new invoices, credit from downgrades).
    """

    organisation: Organisation
    billing_account: BillingAccount
    subscription: Subscription
    payment_methods: tuple[PaymentMethod, ...]
    invoices: tuple[Invoice, ...]
    usage: UsageSummary
    payments: tuple[Payment, ...]
    """Newest first, like invoices."""
    credit: Money
    """Credit from downgrades, owed to the customer against the next invoice."""
    orders: tuple[Order, ...] = ()
    """Checkout orders, oldest first: the paid ones and the newest unpaid ones."""
    orders_created: int = 0
    """Checkout orders ever created, dropped ones included: the next order's sequence."""
    dunning: Dunning | None = None
    """A PAST_DUE subscription's retries (None: generation's or a scenario's, derived)."""
