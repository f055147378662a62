"""Generated histories behave like a real ledger, and depend only on the seed."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from billing_mock.data.stores import load_stores
from billing_mock.domain.models import ChargeType, InvoiceStatus
from billing_mock.domain.store import Store

SEEDS = [0, 1, 42, 2026]


@pytest.fixture(params=SEEDS, scope="module")
def seeded(request: pytest.FixtureRequest) -> Store:
    return load_stores(request.param).default


def test_totals_are_line_items_plus_tax(seeded: Store) -> None:
    for org in seeded.organisations():
        for invoice in seeded.invoices(org.handle):
            lines = sum((item.amount.amount for item in invoice.line_items), Decimal(0))
            assert invoice.subtotal.amount == lines
            assert invoice.total.amount == lines + invoice.tax.amount
            for item in invoice.line_items:
                expected = (item.unit_price.amount * item.quantity).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
                assert item.amount.amount == expected


def test_indian_organisations_pay_18_percent_gst_others_none(seeded: Store) -> None:
    for org in seeded.organisations():
        for invoice in seeded.invoices(org.handle):
            if (org.country, org.currency) == ("IN", "INR"):
                gst = (invoice.subtotal.amount * Decimal("0.18")).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
                assert invoice.tax.amount == gst
            else:
                assert invoice.tax.amount == 0


def test_dates_follow_the_payment_terms(seeded: Store) -> None:
    for org in seeded.organisations():
        for invoice in seeded.invoices(org.handle):
            assert invoice.due_at - invoice.issued_at == timedelta(days=7)
            assert invoice.issued_at <= seeded.as_of
            if invoice.status is InvoiceStatus.PAID:
                assert invoice.paid_at is not None
                assert invoice.issued_at < invoice.paid_at <= seeded.as_of
            else:
                assert invoice.paid_at is None


def test_numbers_are_sequential_and_newest_first(seeded: Store) -> None:
    for org in seeded.organisations():
        invoices = seeded.invoices(org.handle)
        assert len(invoices) == org.invoice_count
        numbers = [invoice.number for invoice in invoices]
        newest = org.first_invoice_number + org.invoice_count - 1
        assert numbers == list(range(newest, org.first_invoice_number - 1, -1))
        issued = [invoice.issued_at for invoice in invoices]
        assert issued == sorted(issued, reverse=True)
        assert len(set(issued)) == len(issued)


def test_subscription_invoices_fall_on_the_billing_day(seeded: Store) -> None:
    for org in seeded.organisations():
        for invoice in seeded.invoices(org.handle):
            if invoice.charge_type is ChargeType.SUBSCRIPTION:
                assert invoice.issued_at.day == org.billing_day


def test_ids_are_unique_across_organisations(seeded: Store) -> None:
    ids = [i.id for org in seeded.organisations() for i in seeded.invoices(org.handle)]
    assert len(ids) == len(set(ids))


def test_statuses_are_a_realistic_mix() -> None:
    stores = [load_stores(seed).default for seed in range(20)]
    statuses = [
        invoice.status
        for store in stores
        for org in store.organisations()
        for invoice in store.invoices(org.handle)
    ]
    paid = statuses.count(InvoiceStatus.PAID) / len(statuses)
    assert 0.75 < paid < 0.97
    assert InvoiceStatus.PAYMENT_FAILED in statuses
    assert InvoiceStatus.OPEN in statuses


def test_same_seed_same_history_other_seed_other_history() -> None:
    first, again, other = load_stores(7).default, load_stores(7).default, load_stores(8).default
    assert first.invoices("recalll.co") == again.invoices("recalll.co")
    assert first.invoices("recalll.co") != other.invoices("recalll.co")
