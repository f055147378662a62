"""The Stripe-backed API's hosted invoice page (`hostedInvoiceUrl`), as HTML."""

from __future__ import annotations

import html
from typing import Any

from billing_mock.domain.models import Invoice, Organisation


def hosted_invoice(organisation: Organisation, invoice: Invoice, shown: dict[str, Any]) -> str:
    """The hosted page of `invoice`: number, status, due date, line items, tax and total
    in major units with the ISO 4217 code, and a link to the PDF. `shown` is the invoice
    as `wire.invoice` renders it (number, status, dueAt and invoicePdf are taken from it).
    """
    rows = "".join(
        f"<tr><td>{html.escape(item.description)}</td><td>{item.quantity}</td>"
        f"<td>{item.amount.major_string()} {item.amount.currency}</td></tr>"
        for item in invoice.line_items
    )
    return (
        f"<!doctype html><html><head><title>Invoice {shown['number']}</title></head><body>"
        f"<h1>Invoice {shown['number']}</h1><p>{html.escape(organisation.name)}</p>"
        f"<p>Status: {shown['status']} &middot; Due {shown['dueAt']}</p>"
        f"<table>{rows}</table>"
        f"<p>Tax: {invoice.tax.major_string()} {invoice.currency}</p>"
        f"<p><strong>Total: {invoice.total.major_string()} {invoice.currency}</strong></p>"
        f'<p><a href="{shown["invoicePdf"]}">Download PDF</a></p></body></html>'
    )
