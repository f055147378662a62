"""Billing terms that generation, the lifecycle and the scenarios all apply: one home each."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from billing_mock.domain.models import BillingCycle

TRIAL = timedelta(days=14)
"""A trial's length."""

TRIAL_AGE = timedelta(days=5)
"""How long ago a trial began when the fixture does not say (`trial_started`)."""

PAYMENT_TERMS = timedelta(days=7)
"""Seed 000: an invoice's `due_date` is its `invoice_date` plus seven days."""

CUSTOMER_LEAD = timedelta(minutes=3)
"""The customer record is made just before its first subscription."""

CYCLE_LENGTH = {
    BillingCycle.MONTHLY: relativedelta(months=1),
    BillingCycle.YEARLY: relativedelta(years=1),
}
"""One billing period of each cycle."""

UNPAID_ORDERS_KEPT = 25
"""How many unpaid checkout orders an organisation keeps; a newer one drops the oldest.

A Razorpay order is meant to be paid in the checkout that created it; an abandoned one
is never paid. A customer trying plans, cycles and coupons makes a handful, a frontend's
test run a few dozen at most before confirming the last, so 25 keeps every order a
client can still mean to pay while bounding them (~1 KB each) per organisation. Orders
also age on the billing clock (ORDER_VALIDITY); the count bounds those that do not.
"""

ORDER_VALIDITY = timedelta(hours=24)
"""How long an unpaid checkout order can still be confirmed: Stripe's default for a
Checkout Session (`expires_at`, 24 hours). Razorpay documents no expiry for orders, so
the mock takes the peer's, long enough for any real checkout."""

RETRY_INTERVAL = timedelta(days=1)
ATTEMPTS = 4
"""Dunning, as Razorpay's subscriptions retry a declined card (docs: Subscriptions >
Payment Retries, "T+3 days cycle"): the charge on day T, then a retry each day for three
days (four attempts in all); the subscription is past due (`pending`) meanwhile, and
after the last decline halted (UNPAID), no longer charged."""

MAX_CLOCK_SPAN = relativedelta(years=10)
"""How far past the fixtures' `as_of` a sandbox's clock may move: ten years is about
120 renewals per organisation, so what a move creates stays bounded."""
