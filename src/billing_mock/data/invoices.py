"""Builds each organisation's invoice history with Faker, deterministic per seed.

Every invoice draws from its own Faker instance seeded by a digest of (seed,
organisation, invoice number), so a change to one invoice's fields never reshuffles
another's, and the same seed gives the same history in every process.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from faker import Faker

from billing_mock.domain.identifiers import digest, invoice_id, invoice_reference
from billing_mock.domain.models import (
    ChargeType,
    Invoice,
    InvoiceStatus,
    LineItem,
    Organisation,
    Plan,
)
from billing_mock.domain.tax import tax_on, tax_rate
from billing_mock.domain.terms import PAYMENT_TERMS

TOP_UP_PERCENT = 20
"""Chance, in percent, that a prepaid top-up falls between two monthly invoices."""
FAKER_PROVIDERS = ["faker.providers.person"]
"""The only Faker provider the generators need (names; random draws come with any
provider): loading Faker's two dozen default providers per locale cost a tenth of a
second of start-up.
"""

SETTLED = OrderedDict(
    [(InvoiceStatus.PAID, 0.90), (InvoiceStatus.PAYMENT_FAILED, 0.06), (InvoiceStatus.OPEN, 0.04)]
)
"""Outcome of an invoice past its due date: most customers pay, a few decline or lag."""

WITHIN_TERMS = OrderedDict([(InvoiceStatus.PAID, 0.55), (InvoiceStatus.OPEN, 0.45)])
"""Outcome of an invoice still within its payment terms."""


def entity_seed(seed: int, *key: object) -> int:
    """A stable 64-bit seed for one entity from the server seed and the entity's key.

    Uses SHA-256, not hash(), which differs between processes.
    """
    return int.from_bytes(digest(seed, *key)[:8], "big")


class InvoiceGenerator:
    """Generates invoice histories for one server seed and one "now" (`as_of`, UTC)."""

    def __init__(self, seed: int, as_of: datetime) -> None:
        self._seed = seed
        self._as_of = as_of
        self._fake = Faker(providers=FAKER_PROVIDERS)

    def history(self, org: Organisation, plan: Plan) -> list[Invoice]:
        """The organisation's `invoice_count` invoices, newest first, all issued before `as_of`.

        Numbers run down from `first_invoice_number + invoice_count - 1`; subscription
        invoices fall on `billing_day` each month, top-ups between them.
        """
        schedule = self._schedule(org)
        newest = org.first_invoice_number + org.invoice_count - 1
        return [
            self._invoice(org, plan, newest - index, charge_type, issued_on)
            for index, (charge_type, issued_on) in enumerate(schedule)
        ]

    def _schedule(self, org: Organisation) -> list[tuple[ChargeType, date]]:
        self._fake.seed_instance(entity_seed(self._seed, org.handle, "schedule"))
        today = self._as_of.date()
        issue = today.replace(day=org.billing_day)
        if issue > today:
            issue -= relativedelta(months=1)
        schedule: list[tuple[ChargeType, date]] = []
        while len(schedule) < org.invoice_count:
            schedule.append((ChargeType.SUBSCRIPTION, issue))
            previous = issue - relativedelta(months=1)
            if (
                len(schedule) < org.invoice_count
                and self._fake.random_int(1, 100) <= TOP_UP_PERCENT
            ):
                gap = (issue - previous).days
                day = previous + timedelta(days=self._fake.random_int(1, gap - 1))
                schedule.append((ChargeType.TOP_UP, day))
            issue = previous
        return schedule

    def _invoice(
        self, org: Organisation, plan: Plan, number: int, charge_type: ChargeType, day: date
    ) -> Invoice:
        fake = self._fake
        fake.seed_instance(entity_seed(self._seed, org.handle, "invoice", number))
        if charge_type is ChargeType.SUBSCRIPTION:
            # A billing job runs just after midnight UTC, as in seed 000's timestamps.
            moment = time(0, 0, fake.random_int(0, 59), fake.random_int(0, 999_999))
            items = self._subscription_items(org, plan)
            period_end = day + relativedelta(months=1)
        else:
            moment = time(fake.random_int(8, 20), fake.random_int(0, 59), fake.random_int(0, 59))
            items = self._top_up_items(org, plan)
            period_end = day
        issued_at = datetime.combine(day, moment, tzinfo=UTC)
        due_at = issued_at + PAYMENT_TERMS
        status = self._status(charge_type, due_at)
        rate = tax_rate(org.country, org.currency)
        subtotal = sum((item.amount for item in items[1:]), items[0].amount)
        return Invoice(
            id=invoice_id(org.handle, number),
            reference=invoice_reference(org.id, number),
            number=number,
            organisation=org.handle,
            charge_type=charge_type,
            status=status,
            currency=org.currency,
            line_items=items,
            tax=tax_on(subtotal, rate),
            tax_rate=rate,
            issued_at=issued_at,
            due_at=due_at,
            paid_at=self._paid_at(charge_type, issued_at) if status is InvoiceStatus.PAID else None,
            period_start=day,
            period_end=period_end,
        )

    def _subscription_items(self, org: Organisation, plan: Plan) -> tuple[LineItem, ...]:
        fee = plan.price(org.currency)
        items = [LineItem(f"{plan.name} plan, monthly", 1, fee, fee)]
        used = plan.included_units * self._fake.random_int(55, 145) // 100
        overage = used - plan.included_units
        if overage > 0:
            unit_price = plan.overage(org.currency)
            items.append(
                LineItem(
                    f"{plan.usage_unit.capitalize()}s beyond the {plan.included_units} included",
                    overage,
                    unit_price,
                    unit_price.times(overage),
                )
            )
        return tuple(items)

    def _top_up_items(self, org: Organisation, plan: Plan) -> tuple[LineItem, ...]:
        packs = self._fake.random_element((1, 2, 5))
        price = plan.price(org.currency)
        return (LineItem("Prepaid usage credits", packs, price, price.times(packs)),)

    def _status(self, charge_type: ChargeType, due_at: datetime) -> InvoiceStatus:
        if charge_type is ChargeType.TOP_UP:
            # Top-ups are paid at checkout; the odd card is declined.
            weights = OrderedDict(
                [(InvoiceStatus.PAID, 0.95), (InvoiceStatus.PAYMENT_FAILED, 0.05)]
            )
        else:
            weights = SETTLED if due_at <= self._as_of else WITHIN_TERMS
        status: InvoiceStatus = self._fake.random_element(weights)
        return status

    def _paid_at(self, charge_type: ChargeType, issued_at: datetime) -> datetime:
        # A top-up is paid at checkout; a subscription invoice within its terms.
        lag = timedelta(minutes=3) if charge_type is ChargeType.TOP_UP else timedelta(days=6)
        latest = min(issued_at + lag, self._as_of)
        window = max(int((latest - issued_at).total_seconds()), 1)
        seconds = self._fake.random_int(min(20, window), window)
        return issued_at + timedelta(
            seconds=seconds, microseconds=self._fake.random_int(0, 999_999)
        )
