"""Scenarios of the cards on file: expired-card and no-payment-method."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.models import Account, PaymentMethod, Plan, start_of_day
from billing_mock.domain.scenarios.standing import customer_since

EXPIRED_CARD_LAST4 = "0069"
"""The card expired-card adds when none is on file: Stripe's test card for expired_card."""


def expired_card(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """Every valid card expired at the end of last month (the default one included), so
    no card on file is valid; cards that had expired already stay as they were.

    A card is added no later than the first day of its expiry month, and the customer
    record no later than its first card. With no card on file, an expired default card
    (`EXPIRED_CARD_LAST4`) is added; with no default, the first card becomes it.
    """
    last_month = now.date().replace(day=1) - timedelta(days=1)
    cards = account.payment_methods or (_spare_card(account, last_month),)
    if not any(card.is_default for card in cards):
        cards = (dataclasses.replace(cards[0], is_default=True), *cards[1:])
    expired = tuple(card if card.expired else _expire(card, last_month) for card in cards)
    return customer_since(
        dataclasses.replace(account, payment_methods=expired),
        min(card.created_at for card in expired),
    )


def no_payment_method(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """No payment method on file; nothing else changes."""
    return dataclasses.replace(account, payment_methods=())


def _expire(card: PaymentMethod, last_day: date) -> PaymentMethod:
    """`card` expiring in the month of `last_day`, added no later than that month began."""
    return dataclasses.replace(
        card,
        exp_month=last_day.month,
        exp_year=last_day.year,
        expired=True,
        created_at=min(card.created_at, start_of_day(last_day.replace(day=1))),
    )


def _spare_card(account: Account, last_day: date) -> PaymentMethod:
    """expired-card's card for an organisation with none, expired in `last_day`'s month."""
    org = account.organisation
    return PaymentMethod(
        id=processor_id("pm", 24, "scenario", org.id, "expired-card"),
        brand="visa",
        last4=EXPIRED_CARD_LAST4,
        exp_month=last_day.month,
        exp_year=last_day.year,
        is_default=True,
        billing_name=org.name,
        billing_email=org.billing_email,
        created_at=min(account.billing_account.created_at, start_of_day(last_day.replace(day=1))),
        expired=True,
    )
