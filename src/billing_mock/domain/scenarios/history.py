"""Invoices and payments as scenarios change them: a first invoice, overdue dates, a declined
attempt, invoices and payments taken out of the history.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.invoicing import next_invoice
from billing_mock.domain.models import (
    Account,
    Invoice,
    LineItem,
    OrderStatus,
    Payment,
    PaymentStatus,
    Plan,
    start_of_day,
)
from billing_mock.domain.scenarios.base import ScenarioNotApplicable
from billing_mock.domain.scenarios.standing import (
    customer_since,
    live,
    newest_subscription_invoice,
    with_subscription,
)
from billing_mock.domain.tax import tax_on, tax_rate
from billing_mock.domain.terms import CUSTOMER_LEAD, CYCLE_LENGTH, PAYMENT_TERMS, TRIAL


def invoiced(
    account: Account, plan: Plan | None, now: datetime, scenario: str
) -> tuple[Account, int, Invoice]:
    """(account, index, invoice): its newest subscription invoice; else, with `plan`, the
    subscription converted to a paid one after a 14-day trial, its first invoice (open)
    issued eight days ago for one billing cycle of the plan. Without `plan`, raises
    ScenarioNotApplicable.
    """
    found = newest_subscription_invoice(account)
    if found is not None:
        return account, *found
    if plan is None:
        raise ScenarioNotApplicable(scenario)
    org, current = account.organisation, account.subscription
    start = start_of_day(now.date() - PAYMENT_TERMS - timedelta(days=1))
    end = start + CYCLE_LENGTH[current.billing_cycle]
    fee = plan.price(org.currency, current.billing_cycle)
    invoice = next_invoice(
        account,
        (LineItem(f"{plan.name} plan, {current.billing_cycle.value}", 1, fee, fee),),
        tax_on(fee, tax_rate(org.country, org.currency)),
        (start, end),
        issued_at=start,
        due_at=start + PAYMENT_TERMS,
        paid_at=None,
    )
    paid = dataclasses.replace(
        live(current), started_at=start - TRIAL, current_period_start=start, current_period_end=end
    )
    changed = dataclasses.replace(account, invoices=(invoice, *account.invoices))
    changed = with_subscription(changed, paid)
    return customer_since(changed, paid.started_at - CUSTOMER_LEAD), 0, invoice


def overdue_dates(
    invoice: Invoice, older: Invoice | None, now: datetime
) -> tuple[datetime, datetime]:
    """(issued_at, due_at) of `invoice` made overdue at `now`, its terms kept if they can be."""
    if invoice.due_at < now:
        return invoice.issued_at, invoice.due_at
    shift = timedelta(days=(invoice.due_at.date() - now.date()).days + 1)
    issued_at, due_at = invoice.issued_at - shift, invoice.due_at - shift
    if older is None or issued_at > older.issued_at:
        return issued_at, due_at
    # The invoice before it (a top-up) was issued within the terms before now: issue this
    # one after it, so the order of issue holds, on terms short enough to have lapsed.
    third = (now - older.issued_at) / 3
    return older.issued_at + third, now - third


def declined_attempt(account: Account, invoice: Invoice, now: datetime) -> Payment:
    """The invoice's last payment attempt declined, or a new declined card charge."""
    for payment in account.payments:  # newest first: the last attempt
        if payment.invoice_reference == invoice.reference:
            return dataclasses.replace(payment, status=PaymentStatus.FAILED, amount=invoice.total)
    return Payment(
        id=processor_id("pay", 14, "scenario", account.organisation.id, invoice.reference),
        order_id=None,
        invoice_reference=invoice.reference,
        amount=invoice.total,
        status=PaymentStatus.FAILED,
        method="card",
        created_at=min(invoice.due_at, now),
    )


def with_invoice(account: Account, index: int, invoice: Invoice) -> Account:
    """`account` with `invoice` in place of the one at `index`."""
    invoices = (*account.invoices[:index], invoice, *account.invoices[index + 1 :])
    return dataclasses.replace(account, invoices=invoices)


def without_payments(account: Account, references: set[str]) -> Account:
    """Without the payments of the invoices with these `references`; checkout orders they
    paid are unpaid again.
    """
    removed = {item.id for item in account.payments if item.invoice_reference in references}
    return dataclasses.replace(
        account,
        payments=tuple(item for item in account.payments if item.id not in removed),
        orders=tuple(
            dataclasses.replace(
                order,
                status=OrderStatus.CREATED,
                payment_id=None,
                invoice_reference=None,
                confirmation=None,
            )
            if order.payment_id in removed
            else order
            for order in account.orders
        ),
    )


def without_invoices(account: Account, count: int) -> Account:
    """Without the `count` newest invoices, and without every payment not for one kept."""
    kept = account.invoices[count:]
    references = {item.reference for item in kept}
    gone = {item.invoice_reference for item in account.payments} - references
    return without_payments(dataclasses.replace(account, invoices=kept), gone)
