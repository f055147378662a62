"""Domain to Unpod JSON: the billing envelope and the invoice object (seeds 000 and 001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from billing_mock.apis.common.rendered import rendered
from billing_mock.domain.models import Invoice, InvoiceStatus
from billing_mock.domain.pagination import Page

BILLING_DATA_FETCHED = "Billing data fetched successfully"

STATUS = {
    InvoiceStatus.OPEN: "pending",
    InvoiceStatus.PAID: "paid",
    InvoiceStatus.PAYMENT_FAILED: "failed",
}
"""Domain invoice status to Unpod's paid/pending/failed (seed 001)."""


def billing_data(page: Page[Invoice]) -> dict[str, Any]:
    """The 200 envelope `{count, status_code, message, data[]}` of seed 000."""
    return {
        "count": page.count,
        "status_code": 200,
        "message": BILLING_DATA_FETCHED,
        "data": [invoice(item) for item in page.items],
    }


@rendered
def invoice(item: Invoice) -> dict[str, Any]:
    """One invoice: seed 000's fields plus seed 001's `id`; money as major-unit strings.
    Rendered once per invoice (`rendered`): the dict is shared, never changed.
    """
    return {
        "id": item.id,
        "invoice_number": invoice_number(item.number),
        "amount": item.total.major_string(),
        "tax_amount": item.tax.major_string(),
        "currency": item.currency,
        "status": STATUS[item.status],
        "charge_type": item.charge_type.value,
        "invoice_date": timestamp(item.issued_at),
        "due_date": timestamp(item.due_at),
        "payment_at": timestamp(item.paid_at) if item.paid_at else None,
    }


def invoice_number(number: int) -> str:
    """Unpod's invoice number: `INV-` and five digits (118 is `INV-00118`)."""
    return f"INV-{number:05d}"


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and `Z`, as seed 000 writes it."""
    # isoformat, not strftime: the same text at a quarter of the cost, and a page has 60.
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
