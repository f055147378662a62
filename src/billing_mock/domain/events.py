"""What the billing clock reports: one event for each thing that happened as time passed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from billing_mock.domain.models import Account, Invoice, Payment


class EventType(enum.Enum):
    """The kinds of event, in the `object.happened` words Stripe's and Razorpay's webhooks
    use; the subscription's are named for the status it moved to.
    """

    TRIAL_ENDED = "trial.ended"
    INVOICE_CREATED = "invoice.created"
    INVOICE_PAID = "invoice.paid"
    INVOICE_OVERDUE = "invoice.overdue"
    """An open invoice passed its due date unpaid."""
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    SUBSCRIPTION_ACTIVATED = "subscription.activated"
    """A trial converted, or a past-due subscription was paid up."""
    SUBSCRIPTION_RENEWED = "subscription.renewed"
    SUBSCRIPTION_PAST_DUE = "subscription.past_due"
    SUBSCRIPTION_UNPAID = "subscription.unpaid"
    """The last retry failed: collection stopped (Razorpay's `halted`)."""
    SUBSCRIPTION_CANCELLED = "subscription.cancelled"
    PAYMENT_METHOD_EXPIRED = "payment_method.expired"
    ORDER_EXPIRED = "order.expired"


class Decline(enum.Enum):
    """Why a charge failed (Stripe's decline codes; Razorpay reports the same reasons)."""

    NO_PAYMENT_METHOD = "no_payment_method"
    EXPIRED_CARD = "expired_card"
    CARD_DECLINED = "card_declined"


@dataclass(frozen=True, slots=True)
class BillingEvent:
    """One thing that happened to an organisation at `at` (UTC), with the ids it touched:
    `subscription` (`sub_...`), `invoice` (`in_...`), `payment` (`pay_...`), `order`
    (`order_...`), `payment_method` (`pm_...`). A failed payment says why (`reason`) and
    which attempt it was of `terms.ATTEMPTS` (`attempt`, 1 = the first charge).

    `id` (`evt_...`) is given by the Store that records it, in order, so the same moves
    give the same ids.
    """

    at: datetime
    organisation: str
    """The organisation's handle."""
    type: EventType
    subscription: str | None = None
    invoice: str | None = None
    payment: str | None = None
    order: str | None = None
    payment_method: str | None = None
    reason: Decline | None = None
    attempt: int | None = None
    id: str = ""


def event(
    account: Account,
    at: datetime,
    kind: EventType,
    invoice: Invoice | None = None,
    payment: Payment | None = None,
    *,
    payment_method: str | None = None,
    order: str | None = None,
    reason: Decline | None = None,
    attempt: int | None = None,
) -> BillingEvent:
    """The event `kind` of `account`'s organisation and subscription at `at`, touching
    `invoice` and `payment` and the other ids given.
    """
    return BillingEvent(
        at=at,
        organisation=account.organisation.handle,
        type=kind,
        subscription=account.subscription.reference,
        invoice=invoice.reference if invoice else None,
        payment=payment.id if payment else None,
        order=order,
        payment_method=payment_method,
        reason=reason,
        attempt=attempt,
    )
