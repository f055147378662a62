"""Scenarios of a subscription's start and end: trial-ending, cancelled-at-period-end and
empty-invoice-history.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from billing_mock.domain.models import Account, Plan, start_of_day
from billing_mock.domain.money import Money
from billing_mock.domain.scenarios.history import without_invoices
from billing_mock.domain.scenarios.standing import (
    customer_since,
    on_trial,
    reopened,
    with_subscription,
)
from billing_mock.domain.terms import CUSTOMER_LEAD, TRIAL, TRIAL_AGE

TRIAL_LEFT = timedelta(days=2)
"""What is left of the trial in trial-ending."""


def trial_ending(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """A new customer on a 14-day trial that ends (with the current period) two days after
    now: TRIALING, not cancelling, nothing invoiced, paid or credited yet (a trial comes
    before the first invoice, so a paying customer's history cannot stay), its customer
    record made just before the trial began and its cards added since; paid checkout
    orders unpaid again, as in empty-invoice-history.
    """
    start = now + TRIAL_LEFT - TRIAL
    org = account.organisation
    cleared = without_invoices(account, len(account.invoices))
    # A valid card was added for the trial; an expired one (expired-card first) before
    # it expired, so the customer record is older than that one.
    cards = tuple(
        card
        if card.expired
        else dataclasses.replace(card, created_at=min(max(card.created_at, start), now))
        for card in cleared.payment_methods
    )
    record = dataclasses.replace(cleared.billing_account, created_at=start - CUSTOMER_LEAD)
    fresh = dataclasses.replace(
        cleared, credit=Money.zero(org.currency), payment_methods=cards, billing_account=record
    )
    oldest = min((card.created_at for card in cards if card.expired), default=None)
    return on_trial(customer_since(fresh, oldest) if oldest else fresh, start, now)


def cancelled_at_period_end(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """Cancelled now, to end with the current period: `cancel_at_period_end`,
    `cancelled_at` now, no auto-renewal; the status is kept (ACTIVE, or a TRIALING trial
    that will not convert, or PAST_DUE: cancelling does not settle a declined invoice).

    An ended subscription is first reopened: for its period if that still runs (it was
    cancelled at once), ACTIVE when it was invoiced, else TRIALING; for a lapsed trial, a
    new trial begun five days ago.
    """
    if account.subscription.has_ended:
        account = reopened(account, now)
    cancelling = dataclasses.replace(
        account.subscription, cancel_at_period_end=True, cancelled_at=now, auto_renew=False
    )
    return with_subscription(account, cancelling)


def empty_invoice_history(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """No invoices, payments or credit, and the trial generation makes for an
    organisation without invoices: begun on the fixture's `trial_started` (else five days
    before now), TRIALING for 14 days, CANCELED once that lapsed. Checkout orders that
    were paid are unpaid again. For such an organisation, its account as generated.
    """
    org = account.organisation
    start = start_of_day(org.trial_started or (now.date() - TRIAL_AGE))
    cleared = without_invoices(account, len(account.invoices))
    return on_trial(dataclasses.replace(cleared, credit=Money.zero(org.currency)), start, now)
