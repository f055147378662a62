"""The subscription and the customer record as scenarios leave them: live, past due, on a
trial, reopened; usage measured over the period; the customer made in time.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from billing_mock.domain.models import (
    Account,
    ChargeType,
    Invoice,
    InvoiceStatus,
    Subscription,
    SubscriptionStatus,
    start_of_day,
)
from billing_mock.domain.terms import CUSTOMER_LEAD, TRIAL, TRIAL_AGE


def newest_subscription_invoice(account: Account) -> tuple[int, Invoice] | None:
    """(index, invoice) of the newest subscription invoice, or None."""
    return next(
        (
            (index, invoice)
            for index, invoice in enumerate(account.invoices)
            if invoice.charge_type is ChargeType.SUBSCRIPTION
        ),
        None,
    )


def live(current: Subscription) -> Subscription:
    """The subscription ACTIVE and renewing, not ended, not on trial, not cancelling."""
    return dataclasses.replace(
        current,
        status=SubscriptionStatus.ACTIVE,
        trial_end=None,
        auto_renew=True,
        cancel_at_period_end=False,
        cancelled_at=None,
        ended_at=None,
    )


def in_standing(account: Account, status: SubscriptionStatus) -> Account:
    """The subscription in `status` (ACTIVE or PAST_DUE), reopened if it had ended or was
    on trial; the customer record `past_due` with it, else `active`.
    """
    current = account.subscription
    if current.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        current = live(current)
    billing = dataclasses.replace(
        account.billing_account,
        status="past_due" if status is SubscriptionStatus.PAST_DUE else "active",
    )
    subscription = dataclasses.replace(current, status=status)
    return dataclasses.replace(account, subscription=subscription, billing_account=billing)


def on_trial(account: Account, start: datetime, now: datetime) -> Account:
    """The subscription a 14-day trial from `start`, as generation makes it: TRIALING, or
    CANCELED once it lapsed before `now`; the customer `active` and made by then.
    """
    end = start + TRIAL
    lapsed = end <= now
    trial = dataclasses.replace(
        account.subscription,
        status=SubscriptionStatus.CANCELED if lapsed else SubscriptionStatus.TRIALING,
        started_at=start,
        current_period_start=start,
        current_period_end=end,
        trial_end=None if lapsed else end,
        auto_renew=not lapsed,
        cancel_at_period_end=False,
        cancelled_at=None,
        ended_at=end if lapsed else None,
    )
    billing = dataclasses.replace(account.billing_account, status="active")
    changed = dataclasses.replace(account, billing_account=billing)
    return customer_since(with_subscription(changed, trial), start - CUSTOMER_LEAD)


def reopened(account: Account, now: datetime) -> Account:
    """An ended subscription running again: for its period if that still runs (PAST_DUE
    if its newest invoice was declined), else as a new trial begun five days before now.
    """
    current, found = account.subscription, newest_subscription_invoice(account)
    if current.current_period_end <= now:
        return on_trial(account, start_of_day(now.date() - TRIAL_AGE), now)
    if found is None:
        trial = dataclasses.replace(
            live(current), status=SubscriptionStatus.TRIALING, trial_end=current.current_period_end
        )
        return with_subscription(account, trial)
    failed = found[1].status is InvoiceStatus.PAYMENT_FAILED
    return in_standing(
        account, SubscriptionStatus.PAST_DUE if failed else SubscriptionStatus.ACTIVE
    )


def with_subscription(account: Account, subscription: Subscription) -> Account:
    """`subscription` in place, and usage measured over its current period (the counts
    are kept: the Store re-derives them when a period changes through it).
    """
    usage = dataclasses.replace(
        account.usage,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
    )
    return dataclasses.replace(account, subscription=subscription, usage=usage)


def customer_since(account: Account, moment: datetime) -> Account:
    """The customer record made no later than `moment`."""
    record = account.billing_account
    if record.created_at <= moment:
        return account
    return dataclasses.replace(
        account, billing_account=dataclasses.replace(record, created_at=moment)
    )
