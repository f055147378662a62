"""Domain errors; each API's `errors.py` renders them in that API's own envelope.

    BillingMockError                 base of every error the mock raises on purpose
     +-- AuthenticationFailed        no credentials, or credentials nobody holds   (401)
     +-- PermissionDenied            a known caller reaching what is not theirs    (403)
     |    +-- RoleRequired           a member whose role may not do this
     +-- NotFound                                                                   (404)
     |    +-- OrganisationNotFound   no organisation with that handle
     |    +-- ProductNotFound        a Product-Id the organisation is not enrolled in
     |    +-- PageNotFound           a page past the last one
     |    +-- PlanNotFound           no plan with that id
     |    +-- InvoiceNotFound        no invoice with that id (in the caller's organisation)
     |    +-- SubscriptionNotFound   no subscription with that id
     |    +-- OrderNotFound          no checkout order with that id in the organisation (or
     |                               an unpaid one dropped for newer ones: terms.UNPAID_ORDERS_KEPT,
     |                               or expired on the billing clock: terms.ORDER_VALIDITY)
     +-- InvalidRequest              input the contract cannot rule out            (400)
     |    +-- CouponNotFound         no coupon with that code
     |    +-- CouponExpired          the coupon is outside its validity window
     |    +-- CouponNotApplicable    the coupon does not apply to that billing cycle
     |    +-- InvalidSignature       the payment signature does not verify
     |    +-- InvalidDateRange       a range whose start is after its end, or a malformed date
     +-- Conflict                    well-formed, but the current state rules it out (409)
     |    +-- PlanUnchanged          already on that plan and billing cycle
     |    +-- SubscriptionAlreadyActive   checkout while a paid subscription runs
     |    +-- NoActiveSubscription   changing or cancelling a subscription that has ended
     |    +-- OrderAlreadyPaid       confirming a paid order with another payment
     |    +-- PaymentAlreadyCaptured a payment id the gateway captured already, in any organisation
     |    +-- CreditUnavailable      confirming an order priced with credit that is used up since
     |    +-- CancellationAlreadyScheduled  a second cancellation at period end
     |    +-- NotScheduledForCancellation   resuming a subscription that is not cancelling
     |    +-- SubscriptionEnded      resuming (or re-planning) a subscription that is over
     |    +-- ClockWentBack          moving the billing clock to before its present
     |    +-- ClockOutOfRange        moving the billing clock past terms.MAX_CLOCK_SPAN
     +-- UnknownCurrency             not an ISO 4217 code with minor units (also a ValueError)

Messages are module constants so tests and docs quote the same text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

NOT_AUTHENTICATED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."
NOT_A_MEMBER = "You do not have permission to access this organization."
ORGANISATION_NOT_FOUND = "Organization not found."
PAGE_NOT_FOUND = "Invalid page."
PLAN_NOT_FOUND = "Plan not found"
PLAN_UNCHANGED = "Organization is already on this plan"
PRODUCT_NOT_FOUND = "Product not found: the organization is not enrolled in {product}."
ROLE_REQUIRED = "This action requires the {roles} role."
INVOICE_NOT_FOUND = "Invoice not found"
SUBSCRIPTION_NOT_FOUND = "Subscription not found"
ORDER_NOT_FOUND = "Order not found or expired"
COUPON_NOT_FOUND = "Coupon {code} does not exist"
COUPON_EXPIRED = "Coupon {code} is not valid at this time"
COUPON_NOT_APPLICABLE = "Coupon {code} does not apply to {cycle} billing"
INVALID_SIGNATURE = "Payment signature verification failed"
INVALID_DATE_RANGE = "from must be on or before to"
SUBSCRIPTION_ALREADY_ACTIVE = (
    "The organization already has an active subscription; change its plan instead"
)
NO_ACTIVE_SUBSCRIPTION = "The organization has no active subscription"
ORDER_ALREADY_PAID = (
    "Order {order} was already paid by payment {payment}; confirming it with that payment "
    "returns its confirmation again, and a new payment needs a new checkout"
)
ORDER_PAID = "The order has already been paid"
PAYMENT_ALREADY_CAPTURED = (
    "Payment {payment} was already captured for another order; each payment pays one order"
)
CREDIT_UNAVAILABLE = (
    "The credit this order was priced with has been used since; start a new checkout"
)
CANCELLATION_ALREADY_SCHEDULED = (
    "The subscription is already set to cancel at the end of its period"
)
NOT_SCHEDULED_FOR_CANCELLATION = "The subscription is not scheduled for cancellation"
CLOCK_WENT_BACK = "The clock is at {now} and only moves forward; reset the sandbox to start again"
CLOCK_OUT_OF_RANGE = "The clock moves at most ten years past the fixtures' start, to {limit}"
SUBSCRIPTION_ENDED = "The subscription has ended; start a new checkout"


class BillingMockError(Exception):
    """Base of the mock's deliberate errors; `message` is shown to the API caller.

    `field` optionally names the request input at fault, in the words of the API that
    raised it (`to`), for APIs whose error envelope points at a field.
    """

    default_message: ClassVar[str] = ""
    """The message when none is given: subclasses with one fixed message set only this."""

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        text = message or self.default_message
        super().__init__(text)
        self.message = text
        self.field = field


class AuthenticationFailed(BillingMockError):
    """No credentials were sent, or nobody holds the ones that were."""

    default_message = INVALID_TOKEN


class PermissionDenied(BillingMockError):
    """The caller is known but may not reach this resource."""

    default_message = NOT_A_MEMBER


class NotFound(BillingMockError):
    """The resource named by the request does not exist."""


class OrganisationNotFound(NotFound):
    """No organisation has this handle."""

    def __init__(self, handle: str) -> None:
        super().__init__(ORGANISATION_NOT_FOUND)
        self.handle = handle


class PageNotFound(NotFound):
    """The requested page lies past the last page."""

    def __init__(self, page: int) -> None:
        super().__init__(PAGE_NOT_FOUND)
        self.page = page


class ProductNotFound(NotFound):
    """The organisation is not enrolled in this product (a schema-valid request: not 400)."""

    def __init__(self, product: str) -> None:
        super().__init__(PRODUCT_NOT_FOUND.format(product=product))
        self.product = product


class PlanNotFound(NotFound):
    """No plan has this id."""

    def __init__(self, plan_id: str) -> None:
        super().__init__(PLAN_NOT_FOUND)
        self.plan_id = plan_id


class Conflict(BillingMockError):
    """A well-formed request that the current state rules out."""


class PlanUnchanged(Conflict):
    """The organisation is already on this plan with this billing cycle."""

    default_message = PLAN_UNCHANGED


class InvalidRequest(BillingMockError):
    """Input that the contract's schemas allow but the mock's data rules out."""


class UnknownCurrency(BillingMockError, ValueError):
    """Not an ISO 4217 currency code with a minor-unit exponent."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Unknown ISO 4217 currency: {code!r}")
        self.code = code


class RoleRequired(PermissionDenied):
    """The caller belongs to the organisation, but their role may not do this."""

    def __init__(self, roles: str) -> None:
        super().__init__(ROLE_REQUIRED.format(roles=roles))


class InvoiceNotFound(NotFound):
    """No invoice has this id, or it belongs to another organisation (existence hidden)."""

    default_message = INVOICE_NOT_FOUND


class SubscriptionNotFound(NotFound):
    """No subscription has this id."""

    default_message = SUBSCRIPTION_NOT_FOUND


class OrderNotFound(NotFound):
    """The organisation has no checkout order with this id."""

    default_message = ORDER_NOT_FOUND


class CouponNotFound(InvalidRequest):
    """No coupon has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(COUPON_NOT_FOUND.format(code=code))


class CouponExpired(InvalidRequest):
    """The coupon exists but is not valid at the mock's "now"."""

    def __init__(self, code: str) -> None:
        super().__init__(COUPON_EXPIRED.format(code=code))


class CouponNotApplicable(InvalidRequest):
    """The coupon does not apply to the chosen billing cycle."""

    def __init__(self, code: str, cycle: str) -> None:
        super().__init__(COUPON_NOT_APPLICABLE.format(code=code, cycle=cycle))


class InvalidSignature(InvalidRequest):
    """The payment signature is not the gateway's HMAC of the order and payment ids."""

    default_message = INVALID_SIGNATURE


class InvalidDateRange(InvalidRequest):
    """A date range whose start is after its end, or a date that does not parse."""

    default_message = INVALID_DATE_RANGE


class SubscriptionAlreadyActive(Conflict):
    """Checkout while the organisation's paid subscription is active or past due."""

    default_message = SUBSCRIPTION_ALREADY_ACTIVE


class NoActiveSubscription(Conflict):
    """Changing or cancelling when the organisation's subscription has ended."""

    default_message = NO_ACTIVE_SUBSCRIPTION


class OrderAlreadyPaid(Conflict):
    """Confirming an order that another payment already paid."""

    def __init__(
        self, order: str | None = None, payment: str | None = None, field: str | None = None
    ) -> None:
        known = order is not None and payment is not None
        text = ORDER_ALREADY_PAID.format(order=order, payment=payment) if known else ORDER_PAID
        super().__init__(text, field)


class PaymentAlreadyCaptured(Conflict):
    """Confirming with a payment id the gateway already captured, for any order of any
    organisation: Razorpay's payment ids are unique across the gateway.
    """

    def __init__(self, payment: str) -> None:
        super().__init__(PAYMENT_ALREADY_CAPTURED.format(payment=payment))


class CreditUnavailable(Conflict):
    """Confirming an order whose price deducted more credit than the account has left
    (another order used it since): the order's amount cannot change once created.
    """

    default_message = CREDIT_UNAVAILABLE


class CancellationAlreadyScheduled(Conflict):
    """Asking again for a cancellation at period end."""

    default_message = CANCELLATION_ALREADY_SCHEDULED


class NotScheduledForCancellation(Conflict):
    """Resuming a subscription that is not set to cancel."""

    default_message = NOT_SCHEDULED_FOR_CANCELLATION


class SubscriptionEnded(Conflict):
    """Resuming or re-planning a subscription that is already over."""

    default_message = SUBSCRIPTION_ENDED


def _instant(at: datetime) -> str:
    """`at` as the control API writes instants: ISO 8601, UTC, to the second, with Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ClockWentBack(Conflict):
    """Moving a sandbox's billing clock to an instant before its present (`now`)."""

    def __init__(self, now: datetime) -> None:
        super().__init__(CLOCK_WENT_BACK.format(now=_instant(now)))


class ClockOutOfRange(Conflict):
    """Moving a sandbox's billing clock past `limit` (the fixtures' start plus
    terms.MAX_CLOCK_SPAN), which bounds what one sandbox can be made to hold.
    """

    def __init__(self, limit: datetime) -> None:
        super().__init__(CLOCK_OUT_OF_RANGE.format(limit=_instant(limit)))
