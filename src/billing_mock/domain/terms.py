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
client can still mean to pay while bounding them (~1 KB each) per organisation. A count,
not a time: the mock's clock stands still at `as_of`, so no order would ever age.
"""
