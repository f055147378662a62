"""Scenarios of an unpaid subscription invoice: overdue-invoice and failed-payment."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from billing_mock.domain.models import Account, InvoiceStatus, Plan, SubscriptionStatus
from billing_mock.domain.scenarios.history import (
    declined_attempt,
    invoiced,
    overdue_dates,
    with_invoice,
    without_payments,
)
from billing_mock.domain.scenarios.standing import in_standing


def overdue_invoice(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """The newest subscription invoice open and past due, its payments gone; the
    subscription ACTIVE (reopened if it had ended) and the customer `active`.

    An invoice still within its terms is issued earlier, in advance of its unchanged
    period, by whole days until it fell due yesterday. An organisation without one gets
    a first invoice from `plan` (see `invoiced`).
    """
    account, index, invoice = invoiced(account, plan, now, "overdue-invoice")
    older = account.invoices[index + 1] if index + 1 < len(account.invoices) else None
    issued_at, due_at = overdue_dates(invoice, older, now)
    unpaid = dataclasses.replace(
        invoice, status=InvoiceStatus.OPEN, paid_at=None, issued_at=issued_at, due_at=due_at
    )
    changed = without_payments(with_invoice(account, index, unpaid), {invoice.reference})
    return in_standing(changed, SubscriptionStatus.ACTIVE)


def failed_payment(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """The newest subscription invoice PAYMENT_FAILED, with a FAILED payment in place of
    any other for it; the subscription PAST_DUE (reopened if it had ended), the customer
    `past_due`.

    The declined payment is the invoice's last attempt, declined, or else a card charge
    on its due date (or now, if that is still to come). An organisation without a
    subscription invoice gets a first one from `plan` (see `invoiced`).
    """
    account, index, invoice = invoiced(account, plan, now, "failed-payment")
    attempt = declined_attempt(account, invoice, now)
    declined = dataclasses.replace(invoice, status=InvoiceStatus.PAYMENT_FAILED, paid_at=None)
    changed = without_payments(with_invoice(account, index, declined), {invoice.reference})
    payments = sorted((attempt, *changed.payments), key=lambda item: item.created_at, reverse=True)
    return in_standing(
        dataclasses.replace(changed, payments=tuple(payments)), SubscriptionStatus.PAST_DUE
    )
