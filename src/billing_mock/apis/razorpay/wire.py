"""Domain to the Razorpay-backed API's JSON (seed 003): camelCase, Razorpay's ids and words.

Every amount is a string in major units with the currency's ISO 4217 digits ("799.00",
"3300"), as the seed says; the one exception is `razorpay.amount`, Razorpay Checkout's own
option, an integer in the smallest unit. Timestamps are ISO 8601 UTC to the second.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from billing_mock.apis.common.timestamps import utc_seconds
from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.lifecycle import PlanChange
from billing_mock.domain.models import (
    Account,
    Confirmation,
    GatewayKeys,
    Invoice,
    InvoiceStatus,
    Order,
    Organisation,
    Payment,
    Plan,
    Subscription,
    SubscriptionStatus,
    User,
)
from billing_mock.domain.money import Money
from billing_mock.domain.pagination import Page
from billing_mock.domain.proration import Proration

STATUS = {
    SubscriptionStatus.TRIALING: "authenticated",
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.PAST_DUE: "pending",
    SubscriptionStatus.UNPAID: "halted",
    SubscriptionStatus.CANCELED: "cancelled",
}
"""Razorpay's subscription statuses: `authenticated` is a trial (mandate given, not yet
charged), `pending` a failed latest charge being retried, `halted` every retry failed,
`cancelled` an ended subscription."""

EXPORT_COLUMNS = (
    "payment_id",
    "order_id",
    "invoice_id",
    "invoice_number",
    "created_at",
    "status",
    "method",
    "currency",
    "amount",
)


def subscription(account: Account, plan: Plan) -> dict[str, Any]:
    """The Subscription object of `account`, on `plan` (its current plan)."""
    return subscription_of(account.subscription, account.organisation, account.credit, plan)


def subscription_of(
    current: Subscription, org: Organisation, credit: Money, plan: Plan
) -> dict[str, Any]:
    """The Subscription object of `current`, `org`'s, on `plan` (its plan), with the
    account's `credit` as `creditBalance`: also a confirmation's, as it was then.
    """
    return {
        "id": current.reference,
        "entity": "subscription",
        "organizationId": org.id,
        "planId": plan.id,
        "planName": plan.name,
        "billingCycle": current.billing_cycle.value,
        "status": STATUS[current.status],
        "amount": plan.price(org.currency, current.billing_cycle).major_string(),
        "currency": org.currency,
        "currentStart": utc_seconds(current.current_period_start),
        "currentEnd": utc_seconds(current.current_period_end),
        "trialEnd": optional(current.trial_end),
        "cancelAtCycleEnd": current.cancel_at_period_end,
        "cancelledAt": optional(current.cancelled_at),
        "endedAt": optional(current.ended_at),
        "creditBalance": credit.major_string(),
        "notes": dict(current.notes),
        "createdAt": utc_seconds(current.started_at),
    }


def invoice_id(reference: str) -> str:
    """The id in Razorpay's form (`inv_` + 14 characters) of the invoice with processor
    reference `reference` (`in_...`); stable per invoice.
    """
    return processor_id("inv", 14, reference)


def invoice_number(item: Invoice) -> str:
    """The invoice number as printed: `INV-` and five digits (119 is `INV-00119`)."""
    return f"INV-{item.number:05d}"


def invoice(item: Invoice, api_url: str) -> dict[str, Any]:
    """The Invoice object; `pdfUrl` is absolute under `api_url` (this API's root on the
    server that answered: scheme://host[:port] and the base path).
    """
    identity = invoice_id(item.reference)
    return {
        "id": identity,
        "entity": "invoice",
        "number": invoice_number(item),
        "status": "paid" if item.status is InvoiceStatus.PAID else "issued",
        "currency": item.currency,
        "subtotal": item.subtotal.major_string(),
        "tax": item.tax.major_string(),
        "taxRate": format(item.tax_rate.normalize(), "f"),
        "amount": item.total.major_string(),
        "periodStart": item.period_start.isoformat(),
        "periodEnd": item.period_end.isoformat(),
        "issuedAt": utc_seconds(item.issued_at),
        "paidAt": optional(item.paid_at),
        "lineItems": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unitAmount": line.unit_price.major_string(),
                "amount": line.amount.major_string(),
            }
            for line in item.line_items
        ],
        "pdfUrl": f"{api_url}/invoices/{identity}/pdf",
    }


def payment(item: Payment) -> dict[str, Any]:
    """The Payment object."""
    return {
        "id": item.id,
        "entity": "payment",
        "orderId": item.order_id,
        "invoiceId": invoice_id(item.invoice_reference),
        "amount": item.amount.major_string(),
        "currency": item.amount.currency,
        "status": item.status.value,
        "method": item.method,
        "createdAt": utc_seconds(item.created_at),
    }


def checkout(
    order: Order, plan: Plan, account: Account, user: User, gateway: GatewayKeys
) -> dict[str, Any]:
    """The Checkout object: the order, and `razorpay`, the options for Razorpay Checkout."""
    org, currency = account.organisation, order.price.currency
    return {
        "orderId": order.id,
        "status": order.status.value,
        "planId": plan.id,
        "planName": plan.name,
        "billingCycle": order.billing_cycle.value,
        "currency": currency,
        "price": order.price.major_string(),
        "couponCode": order.coupon_code,
        "discount": order.discount.major_string(),
        "creditApplied": order.credit.major_string(),
        "tax": order.tax.major_string(),
        "amount": order.amount.major_string(),
        "createdAt": utc_seconds(order.created_at),
        "razorpay": {
            "key": gateway.key_id,
            "order_id": order.id,
            "amount": order.amount.minor_units(),
            "currency": currency,
            "name": org.name,
            "description": order.description,
            "prefill": {"name": user.name, "email": user.email},
            "notes": {
                "organizationId": org.id,
                "planId": plan.id,
                "billingCycle": order.billing_cycle.value,
            },
        },
    }


def confirmation(
    result: Confirmation, org: Organisation, plan: Plan, api_url: str
) -> dict[str, Any]:
    """The Confirmation object of `org`: the subscription (on `plan`, its plan then) and
    credit balance as the confirmation left them, the payment and the paid invoice.
    """
    return {
        "subscription": subscription_of(result.subscription, org, result.credit_balance, plan),
        "payment": payment(result.payment),
        "invoice": invoice(result.invoice, api_url),
    }


def plan_change(result: PlanChange, account: Account, plan: Plan, api_url: str) -> dict[str, Any]:
    """The PlanChange object: the subscription, its proration, and what was charged."""
    return {
        "subscription": subscription(account, plan),
        "proration": proration(result.proration),
        "invoice": invoice(result.invoice, api_url) if result.invoice else None,
        "payment": payment(result.payment) if result.payment else None,
    }


def proration(item: Proration) -> dict[str, Any]:
    """The Proration object."""
    return {
        "fromPlanId": item.from_plan,
        "toPlanId": item.to_plan,
        "fromBillingCycle": item.from_cycle.value,
        "toBillingCycle": item.to_cycle.value,
        "changedAt": utc_seconds(item.changed_at),
        "periodStart": utc_seconds(item.period_start),
        "periodEnd": utc_seconds(item.period_end),
        "currency": item.credit.currency,
        "credit": item.credit.major_string(),
        "charge": item.charge.major_string(),
        "net": item.net.major_string(),
        "creditApplied": item.credit_applied.major_string(),
        "tax": item.tax.major_string(),
        "amountDue": item.amount_due.major_string(),
    }


def subscription_list(page: Page[dict[str, Any]]) -> dict[str, Any]:
    """The SubscriptionList object: one page of Subscription objects."""
    return {
        "entity": "collection",
        "count": len(page.items),
        "total": page.count,
        "page": page.number,
        "pageSize": page.size,
        "items": list(page.items),
    }


def payments_csv(payments: Iterable[Payment], invoices: Iterable[Invoice]) -> str:
    """Payments as CSV (RFC 4180: CRLF line ends, a header row), written by the csv module."""
    numbers = {item.reference: invoice_number(item) for item in invoices}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for item in payments:
        writer.writerow(
            (
                item.id,
                item.order_id or "",
                invoice_id(item.invoice_reference),
                numbers.get(item.invoice_reference, ""),
                utc_seconds(item.created_at),
                item.status.value,
                item.method,
                item.amount.currency,
                item.amount.major_string(),
            )
        )
    return out.getvalue()


def optional(moment: datetime | None) -> str | None:
    """`utc_seconds(moment)`, or None."""
    return utc_seconds(moment) if moment else None
