"""Builds an organisation's whole billing account for a seed: subscription, cards, usage.

Invoices come from `data.invoices.InvoiceGenerator`; everything here is derived from them
and from Faker seeded per (seed, organisation, purpose), so the same seed gives the
same account in every process.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

from dateutil.relativedelta import relativedelta
from faker import Faker

from billing_mock.data.invoices import FAKER_PROVIDERS, InvoiceGenerator, entity_seed
from billing_mock.domain.identifiers import digest, processor_id, stable_uuid
from billing_mock.domain.models import (
    Account,
    BillingAccount,
    BillingCycle,
    ChargeType,
    Invoice,
    InvoiceStatus,
    Organisation,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
    UsageSummary,
    start_of_day,
)
from billing_mock.domain.money import Money
from billing_mock.domain.terms import CUSTOMER_LEAD, TRIAL, TRIAL_AGE

PAYMENT_METHODS = {"IN": ("card", "card", "upi", "netbanking")}
"""How customers pay, by country: Indian customers also use UPI and netbanking."""
CARD_BRANDS = {"IN": ("visa", "mastercard", "rupay"), "JP": ("visa", "mastercard", "jcb")}
DEFAULT_BRANDS = ("visa", "mastercard", "amex")
LOCALES = {"IN": "en_IN", "US": "en_US", "JP": "ja_JP"}


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale, providers=FAKER_PROVIDERS)


class AccountGenerator:
    """Generates `Account`s for one server seed and one "now" (`as_of`, UTC)."""

    def __init__(self, seed: int, as_of: datetime) -> None:
        self._seed = seed
        self._as_of = as_of
        self._invoices = InvoiceGenerator(seed, as_of)

    def account(self, org: Organisation, plan: Plan) -> Account:
        """The organisation's account: invoices newest first, then what follows from them."""
        invoices = tuple(self._invoices.history(org, plan))
        subscription = self.subscription(org, plan, invoices)
        past_due = subscription.status is SubscriptionStatus.PAST_DUE
        return Account(
            organisation=org,
            billing_account=BillingAccount(
                id=processor_id("cus", 14, org.id),
                provider="stripe",
                status="past_due" if past_due else "active",
                currency=org.currency,
                email=org.billing_email,
                created_at=subscription.started_at - CUSTOMER_LEAD,
            ),
            subscription=subscription,
            payment_methods=self._payment_methods(org, subscription.started_at),
            invoices=invoices,
            usage=self.usage(org, plan, subscription),
            payments=self.payments(org, invoices),
            credit=Money.zero(org.currency),
        )

    def payments(self, org: Organisation, invoices: tuple[Invoice, ...]) -> tuple[Payment, ...]:
        """One payment per settled or declined invoice, newest first: captured when it was
        paid, failed on its due date when the charge was declined.
        """
        methods = PAYMENT_METHODS.get(org.country, ("card",))
        payments = []
        for invoice in invoices:
            if invoice.status is InvoiceStatus.OPEN:
                continue
            paid = invoice.paid_at
            method = methods[digest(self._seed, invoice.reference, "method")[0] % len(methods)]
            payments.append(
                Payment(
                    id=processor_id("pay", 14, self._seed, invoice.reference),
                    order_id=None,
                    invoice_reference=invoice.reference,
                    amount=invoice.total,
                    status=PaymentStatus.CAPTURED if paid else PaymentStatus.FAILED,
                    method=method,
                    created_at=paid or invoice.due_at,
                )
            )
        return tuple(sorted(payments, key=lambda payment: payment.created_at, reverse=True))

    def subscription(
        self, org: Organisation, plan: Plan, invoices: tuple[Invoice, ...]
    ) -> Subscription:
        """The current subscription: on trial when nothing was invoiced yet (cancelled if
        the trial lapsed before "now"), else monthly from the oldest invoice, past due
        when the latest subscription invoice failed.
        """
        monthly = [i for i in invoices if i.charge_type is ChargeType.SUBSCRIPTION]
        if not monthly:
            start = start_of_day(org.trial_started or (self._as_of.date() - TRIAL_AGE))
            lapsed = start + TRIAL <= self._as_of
            return Subscription(
                id=stable_uuid("subscription", org.id),
                reference=processor_id("sub", 14, org.id),
                organisation=org.handle,
                plan_id=plan.id,
                billing_cycle=BillingCycle.MONTHLY,
                status=SubscriptionStatus.CANCELED if lapsed else SubscriptionStatus.TRIALING,
                started_at=start,
                current_period_start=start,
                current_period_end=start + TRIAL,
                trial_end=None if lapsed else start + TRIAL,
                auto_renew=not lapsed,
                ended_at=start + TRIAL if lapsed else None,
            )
        latest, oldest = monthly[0], monthly[-1]
        failed = latest.status is InvoiceStatus.PAYMENT_FAILED
        return Subscription(
            id=stable_uuid("subscription", org.id),
            reference=processor_id("sub", 14, org.id),
            organisation=org.handle,
            plan_id=plan.id,
            billing_cycle=BillingCycle.MONTHLY,
            status=SubscriptionStatus.PAST_DUE if failed else SubscriptionStatus.ACTIVE,
            started_at=oldest.issued_at,
            current_period_start=start_of_day(latest.period_start),
            current_period_end=start_of_day(latest.period_end),
            trial_end=None,
            auto_renew=True,
        )

    def _payment_methods(self, org: Organisation, since: datetime) -> tuple[PaymentMethod, ...]:
        fake = _faker(LOCALES.get(org.country, "en_US"))
        fake.seed_instance(entity_seed(self._seed, org.handle, "payment-methods"))
        brands = CARD_BRANDS.get(org.country, DEFAULT_BRANDS)
        count = fake.random_int(1, 3)
        holder = fake.name()
        cards = []
        for index in range(count):
            # The default card is current; an older spare card may have expired.
            years = fake.random_int(1, 4) if index == 0 else fake.random_int(-1, 3)
            expiry = self._as_of.date() + relativedelta(years=years, months=fake.random_int(0, 11))
            added = since + timedelta(
                days=fake.random_int(0, 60) + 90 * index, seconds=fake.random_int(0, 86_399)
            )
            cards.append(
                PaymentMethod(
                    id=processor_id("pm", 24, self._seed, org.id, index),
                    brand=fake.random_element(brands),
                    last4=f"{fake.random_int(0, 9999):04d}",
                    exp_month=expiry.month,
                    exp_year=expiry.year,
                    is_default=index == 0,
                    billing_name=holder,
                    billing_email=org.billing_email,
                    created_at=min(added, self._as_of),
                    expired=_expired(expiry, self._as_of.date()),
                )
            )
        return tuple(cards)

    def usage(self, org: Organisation, plan: Plan, subscription: Subscription) -> UsageSummary:
        """Usage of the subscription's current period, within the plan's entitlements."""
        fake = _faker("en_US")
        fake.seed_instance(
            entity_seed(self._seed, org.handle, "usage", subscription.current_period_start)
        )
        allows = plan.entitlements
        meetings = allows.max_meetings_per_month * fake.random_int(20, 95) // 100
        return UsageSummary(
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
            meetings=meetings,
            recording_storage_gb=allows.recording_storage_gb * fake.random_int(10, 90) // 100,
            ai_summaries=meetings * fake.random_int(50, 100) // 100 if allows.ai_summary else 0,
        )


def _expired(expiry: date, today: date) -> bool:
    """Cards are valid through the last day of their expiry month."""
    return (expiry.year, expiry.month) < (today.year, today.month)
