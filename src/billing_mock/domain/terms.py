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
