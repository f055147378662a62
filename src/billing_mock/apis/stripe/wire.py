"""Domain to the Stripe-backed API's JSON (seed 002): integer minor units, lower-case currency."""

from __future__ import annotations

from typing import Any

from billing_mock.apis.common.rendered import rendered
from billing_mock.apis.common.timestamps import utc_seconds
from billing_mock.apis.stripe.links import HostedIds
from billing_mock.domain.models import Account, Invoice, InvoiceStatus, PaymentMethod, start_of_day

STATUS = {
    InvoiceStatus.OPEN: "open",
    InvoiceStatus.PAID: "paid",
    # Stripe leaves an invoice open when a payment attempt fails.
    InvoiceStatus.PAYMENT_FAILED: "open",
}


def billing_details(account: Account, api_url: str, hosted: HostedIds) -> dict[str, Any]:
    """`{invoices[], paymentMethods[]}`; invoice URLs are absolute under `api_url` (this
    API's root on the server that answered: scheme://host[:port] and the base path), at
    the capability id `hosted` gives each invoice.
    """
    return {
        "invoices": [invoice(account, item, api_url, hosted) for item in account.invoices],
        "paymentMethods": [payment_method(card) for card in account.payment_methods],
    }


def invoice(account: Account, item: Invoice, api_url: str, hosted: HostedIds) -> dict[str, Any]:
    """One invoice; amounts are integers in the currency's ISO 4217 minor units; its
    hosted page and PDF are under `api_url`, at its capability id. Rendered once per
    invoice, origin and key (`rendered`): the dict is shared, never changed.
    """
    return _invoice(item, account.organisation.id, api_url, hosted)


@rendered
def _invoice(
    item: Invoice, organisation_id: str, api_url: str, hosted: HostedIds
) -> dict[str, Any]:
    total = item.total.minor_units()
    paid = total if item.status is InvoiceStatus.PAID else 0
    url = f"{api_url}/stripe/invoices/{hosted(item.reference)}"
    return {
        "amountDue": total,
        "amountPaid": paid,
        "amountRemaining": total - paid,
        "createdAt": utc_seconds(item.issued_at),
        "currency": item.currency.lower(),
        "dueAt": utc_seconds(item.due_at),
        "hostedInvoiceUrl": url,
        "id": item.reference,
        "invoicePdf": f"{url}/pdf",
        "number": _number(organisation_id, item.number),
        "periodEnd": utc_seconds(start_of_day(item.period_end)),
        "periodStart": utc_seconds(start_of_day(item.period_start)),
        "status": STATUS[item.status],
        "total": total,
    }


def invoice_number(account: Account, item: Invoice) -> str:
    """Stripe's `PREFIX-0001` form: the customer's 8-character prefix and the sequence."""
    return _number(account.organisation.id, item.number)


def _number(organisation_id: str, number: int) -> str:
    return f"{organisation_id[:8].upper()}-{number:04d}"


def payment_method(card: PaymentMethod) -> dict[str, Any]:
    """One card on file."""
    return {
        "billingEmail": card.billing_email,
        "billingName": card.billing_name,
        "brand": card.brand,
        "createdAt": utc_seconds(card.created_at),
        "expMonth": card.exp_month,
        "expYear": card.exp_year,
        "id": card.id,
        "isDefault": card.is_default,
        "last4": card.last4,
        "type": "card",
    }
