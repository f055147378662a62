"""An organisation's next invoice: numbered after its newest, with its ids and its tax rate."""

from __future__ import annotations

from datetime import datetime

from billing_mock.domain.identifiers import invoice_id, invoice_reference
from billing_mock.domain.models import Account, ChargeType, Invoice, InvoiceStatus, LineItem
from billing_mock.domain.money import Money
from billing_mock.domain.tax import tax_rate


def next_invoice(
    account: Account,
    lines: tuple[LineItem, ...],
    tax: Money,
    period: tuple[datetime, datetime],
    *,
    issued_at: datetime,
    due_at: datetime,
    paid_at: datetime | None,
) -> Invoice:
    """The organisation's next subscription invoice for `period` (its dates): number one
    past its newest (else the fixture's first number), ids stable per (organisation,
    number), `lines` and `tax` in the organisation's currency at its tax rate; PAID when
    `paid_at` is given, else OPEN.
    """
    org = account.organisation
    number = account.invoices[0].number + 1 if account.invoices else org.first_invoice_number
    return Invoice(
        id=invoice_id(org.handle, number),
        reference=invoice_reference(org.id, number),
        number=number,
        organisation=org.handle,
        charge_type=ChargeType.SUBSCRIPTION,
        status=InvoiceStatus.PAID if paid_at else InvoiceStatus.OPEN,
        currency=org.currency,
        line_items=lines,
        tax=tax,
        tax_rate=tax_rate(org.country, org.currency),
        issued_at=issued_at,
        due_at=due_at,
        paid_at=paid_at,
        period_start=period[0].date(),
        period_end=period[1].date(),
    )
