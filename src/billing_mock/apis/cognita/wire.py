"""Domain to Cognita JSON (seed 004): camelCase, integer minor units, upper-case ISO 4217."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from billing_mock.apis.common.rendered import rendered
from billing_mock.domain.models import (
    Account,
    BillingAccount,
    Invoice,
    InvoiceStatus,
    PaymentMethod,
    Plan,
    Subscription,
    UsageSummary,
    start_of_day,
)

STATUS = {
    InvoiceStatus.OPEN: "open",
    InvoiceStatus.PAID: "paid",
    InvoiceStatus.PAYMENT_FAILED: "open",
}
"""Cognita bills through Stripe and shows Stripe's invoice statuses."""


def bill(account: Account, plan: Plan) -> dict[str, Any]:
    """The `Bill`: the `data` of Get Billing Details, for `account` on `plan`."""
    org = account.organisation
    return {
        "orgId": org.id,
        "organizationName": org.name,
        "billingAccount": billing_account(account.billing_account),
        "currentSubscription": subscription(account.subscription, plan, org.currency),
        "paymentMethods": [payment_method(card) for card in account.payment_methods],
        "invoices": [invoice(item) for item in account.invoices],
        "usageSummary": usage(account.usage),
    }


def billing_account(record: BillingAccount) -> dict[str, Any]:
    """The BillingAccount object."""
    return {
        "billingAccountId": record.id,
        "provider": record.provider,
        "status": record.status,
        "currency": record.currency,
        "billingEmail": record.email,
        "createdAt": timestamp(record.created_at),
    }


def subscription(current: Subscription, plan: Plan, currency: str) -> dict[str, Any]:
    """The Subscription object, with its SubscriptionPlan and entitlements."""
    allows = plan.entitlements
    return {
        "subscriptionId": current.id,
        "status": current.status.value,
        "plan": {
            "planId": plan.id,
            "name": plan.name,
            "type": "free" if plan.is_free(currency) else "paid",
            "pricePerMonth": plan.price(currency).minor_units(),
            "currency": currency,
            "entitlements": {
                "maxMeetingsPerMonth": allows.max_meetings_per_month,
                "aiSummary": allows.ai_summary,
                "recordingStorageGb": allows.recording_storage_gb,
            },
        },
        "billingCycle": current.billing_cycle.value,
        "startDate": timestamp(current.current_period_start),
        "endDate": timestamp(current.current_period_end),
        "renewalDate": timestamp(current.current_period_end) if current.auto_renew else None,
        "trialEnd": timestamp(current.trial_end) if current.trial_end else None,
        "autoRenew": current.auto_renew,
    }


def payment_method(card: PaymentMethod) -> dict[str, Any]:
    """The PaymentMethod object; `expDate` is an ISO 8601 year-month."""
    return {
        "paymentMethodId": card.id,
        "type": "card",
        "last4": card.last4,
        "status": "expired" if card.expired else "active",
        "expDate": f"{card.exp_year:04d}-{card.exp_month:02d}",
        "addedAt": timestamp(card.created_at),
    }


@rendered
def invoice(item: Invoice) -> dict[str, Any]:
    """The Invoice object; tax is a line item of its own so `totalAmount` = sum of lines.
    Rendered once per invoice (`rendered`): the dict is shared, never changed.
    """
    lines = [
        {"description": line.description, "amount": line.amount.minor_units()}
        for line in item.line_items
    ]
    if item.tax.amount:
        lines.append({"description": f"GST {item.tax_rate}%", "amount": item.tax.minor_units()})
    return {
        "invoiceId": item.reference,
        "periodStart": timestamp(start_of_day(item.period_start)),
        "periodEnd": timestamp(start_of_day(item.period_end)),
        "totalAmount": item.total.minor_units(),
        "currency": item.currency,
        "status": STATUS[item.status],
        "paidAt": timestamp(item.paid_at) if item.paid_at else None,
        "dueDate": timestamp(item.due_at),
        "lineItems": lines,
    }


def usage(summary: UsageSummary) -> dict[str, Any]:
    """The UsageRecords object for the current period."""
    return {
        "period": {"start": timestamp(summary.period_start), "end": timestamp(summary.period_end)},
        "metrics": [
            {"metricType": "meetings", "totalValue": summary.meetings},
            {"metricType": "recordingStorageGb", "totalValue": summary.recording_storage_gb},
            {"metricType": "aiSummaries", "totalValue": summary.ai_summaries},
        ],
    }


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`, as JavaScript's toISOString writes it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
