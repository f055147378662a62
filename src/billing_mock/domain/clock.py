"""The billing clock: what happens to one organisation's account while its sandbox's
time moves on.

`advance` runs every boundary up to the new "now", in time order, each on the account as
the one before left it:

    a card passes its expiry month          payment_method.expired
    an unpaid order passes ORDER_VALIDITY   order.expired
    a trial ends                            trial.ended, then converted (invoice.created,
                                            payment.*) or, with no card or a cancel
                                            scheduled, lapsed (subscription.cancelled)
    a period ends                           a cancel at period end takes effect; else the
                                            next period is invoiced (the plan's price less
                                            credit, plus tax) and charged to the default card;
                                            a halted (UNPAID) one is invoiced, not charged
    a declined invoice is retried           dunning: terms.ATTEMPTS charges a day apart,
                                            past due meanwhile, UNPAID after the last
    an open invoice passes its due date     invoice.overdue

A charge fails with no card on file, an expired default card, or in a scenario that
declines every charge (failed-payment). Pure: an Account in, the changed Account and what
happened out (`BillingEvent`s, oldest first). Sources: Razorpay's subscription states and
payment retries (seed 003's processor), Stripe's invoice and subscription lifecycle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta

from billing_mock.domain.collection import Dunning
from billing_mock.domain.events import BillingEvent, Decline, EventType, event
from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.invoicing import next_invoice
from billing_mock.domain.models import (
    Account,
    BillingCycle,
    Invoice,
    InvoiceStatus,
    LineItem,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from billing_mock.domain.proration import credit_lines, credit_to_apply
from billing_mock.domain.scenarios.standing import in_standing, live, newest_subscription_invoice
from billing_mock.domain.tax import tax_on, tax_rate
from billing_mock.domain.terms import (
    ATTEMPTS,
    CYCLE_LENGTH,
    ORDER_VALIDITY,
    PAYMENT_TERMS,
    RETRY_INTERVAL,
)

Change = tuple[Account, list[BillingEvent]]
Action = Callable[[Account, datetime], Change]


def advance(
    account: Account,
    *,
    start: datetime,
    to: datetime,
    plans: Mapping[str, Plan],
    seed: int,
    declines: bool = False,
) -> Change:
    """`account` as it stands at `to`, having stood at `start` (UTC, `start <= to`), and
    the events of the way, oldest first. `plans` by id price renewals; `seed` makes the
    new payments' ids; `declines` makes every charge fail (card_declined).

    A boundary that fell before `start` (a retry a scenario left due) happens at `start`.
    Raises KeyError for a subscription on a plan not in `plans`.
    """
    run = _Run(plans, seed, declines)
    events: list[BillingEvent] = []
    cursor = start
    while (step := _next_step(account, run, to)) is not None:
        at, action = step
        cursor = max(cursor, at)
        account, happened = action(account, cursor)
        events.extend(happened)
    events.extend(_overdue(account, start, to))
    events.sort(key=lambda event: event.at)
    return account, events


def _next_step(account: Account, run: _Run, to: datetime) -> tuple[datetime, Action] | None:
    """The earliest boundary at or before `to` (ties: cards, orders, then the
    subscription), or None.
    """
    steps = sorted(_steps(account, run), key=lambda step: (step[0], step[1]))
    if not steps or steps[0][0] > to:
        return None
    return steps[0][0], steps[0][2]


def _steps(account: Account, run: _Run) -> Iterator[tuple[datetime, int, Action]]:
    for card in account.payment_methods:
        if not card.expired:
            yield _expiry(card), 0, _card_expirer(card.id)
    for order in account.orders:
        if order.status is OrderStatus.CREATED:
            yield order.created_at + ORDER_VALIDITY, 1, _order_expirer(order.id)
    current = account.subscription
    if current.status is SubscriptionStatus.TRIALING:
        yield current.current_period_end, 3, run.end_trial
    elif current.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.UNPAID):
        yield current.current_period_end, 3, run.end_period
    elif current.status is SubscriptionStatus.PAST_DUE:
        dunning = dunning_of(account)
        if dunning is not None:
            yield dunning.next_attempt_at, 2, run.retry
        yield current.current_period_end, 3, run.end_period


def _anchored(current: Subscription) -> relativedelta:
    """Where the next period ends, relative to the cycle's length: on the anchor's day (and
    month, yearly), clipped to a short month: 31 Jan, 28 Feb, 31 Mar; 29 Feb 2028, 28 Feb
    2029, 29 Feb 2032. Without an anchor (as generated), the larger of the period's two
    days, since only a short month cuts one.
    """
    if current.anchor is None:
        days = (current.current_period_start.day, current.current_period_end.day)
        return relativedelta(day=max(days))
    if current.billing_cycle is BillingCycle.YEARLY:
        return relativedelta(month=current.anchor.month, day=current.anchor.day)
    return relativedelta(day=current.anchor.day)


def _expiry(card: PaymentMethod) -> datetime:
    """The first instant a card is no longer valid: cards are valid through their month."""
    year, month = divmod(card.exp_year * 12 + card.exp_month, 12)
    return datetime(year, month + 1, 1, tzinfo=UTC)


def _card_expirer(card_id: str) -> Action:
    def expire(account: Account, at: datetime) -> Change:
        cards = tuple(
            dataclasses.replace(card, expired=True) if card.id == card_id else card
            for card in account.payment_methods
        )
        expired = event(account, at, EventType.PAYMENT_METHOD_EXPIRED, payment_method=card_id)
        return dataclasses.replace(account, payment_methods=cards), [expired]

    return expire


def _order_expirer(order_id: str) -> Action:
    def expire(account: Account, at: datetime) -> Change:
        orders = tuple(
            dataclasses.replace(order, status=OrderStatus.EXPIRED)
            if order.id == order_id
            else order
            for order in account.orders
        )
        expired = event(account, at, EventType.ORDER_EXPIRED, order=order_id)
        return dataclasses.replace(account, orders=orders), [expired]

    return expire


def dunning_of(account: Account) -> Dunning | None:
    """The retries due on a PAST_DUE account: its own record, else those of the newest
    subscription invoice left declined by generation or a scenario (its failed payments
    are the attempts made, at least one retry still to come, the next a day after the
    last). None when nothing is declined.
    """
    if account.dunning is not None:
        return account.dunning
    found = newest_subscription_invoice(account)
    if found is None or found[1].status is not InvoiceStatus.PAYMENT_FAILED:
        return None
    invoice = found[1]
    failed = [
        payment.created_at
        for payment in account.payments
        if payment.invoice_reference == invoice.reference and payment.status is PaymentStatus.FAILED
    ]
    attempts = min(max(len(failed), 1), ATTEMPTS - 1)
    last = max(failed, default=invoice.due_at)
    return Dunning(invoice.reference, attempts, last + RETRY_INTERVAL, Decline.CARD_DECLINED.value)


@dataclasses.dataclass(frozen=True, slots=True)
class _Run:
    """What one move knows besides the account: plans, the seed, whether charges fail."""

    plans: Mapping[str, Plan]
    seed: int
    declines: bool

    def end_trial(self, account: Account, at: datetime) -> Change:
        """Convert the trial to its first paid period, or let it lapse."""
        current = account.subscription
        ended = event(account, at, EventType.TRIAL_ENDED)
        if current.cancel_at_period_end or _default_card(account) is None:
            lapsed = dataclasses.replace(
                current,
                status=SubscriptionStatus.CANCELED,
                trial_end=None,
                auto_renew=False,
                ended_at=at,
            )
            account = dataclasses.replace(account, subscription=lapsed)
            return account, [ended, event(account, at, EventType.SUBSCRIPTION_CANCELLED)]
        end = at + CYCLE_LENGTH[current.billing_cycle]
        paid = dataclasses.replace(
            live(current), current_period_start=at, current_period_end=end, anchor=at
        )
        converting = dataclasses.replace(account, subscription=paid)
        account, events = self._bill(converting, at, EventType.SUBSCRIPTION_ACTIVATED)
        return account, [ended, *events]

    def end_period(self, account: Account, at: datetime) -> Change:
        """End a cancelling subscription, else start its next period and invoice it."""
        current = account.subscription
        if current.cancel_at_period_end or not current.auto_renew:
            ended = dataclasses.replace(
                current, status=SubscriptionStatus.CANCELED, auto_renew=False, ended_at=at
            )
            account = dataclasses.replace(account, subscription=ended)
            return account, [event(account, at, EventType.SUBSCRIPTION_CANCELLED)]
        start = current.current_period_end
        end = start + CYCLE_LENGTH[current.billing_cycle] + _anchored(current)
        renewed = dataclasses.replace(current, current_period_start=start, current_period_end=end)
        account = dataclasses.replace(account, subscription=renewed)
        if current.status is SubscriptionStatus.UNPAID:
            # Razorpay invoices a halted subscription every cycle but charges none of them.
            account, invoice = self._invoiced(account, at, at + PAYMENT_TERMS)
            return account, [_created(account, invoice, at)]
        return self._bill(account, at, EventType.SUBSCRIPTION_RENEWED)

    def retry(self, account: Account, at: datetime) -> Change:
        """Charge the declined invoice again (the next dunning attempt)."""
        dunning = dunning_of(account)
        assert dunning is not None  # scheduled only when there is one
        invoice = next(i for i in account.invoices if i.reference == dunning.invoice_reference)
        attempt = dunning.attempts + 1
        return self._charge(account, invoice, at, attempt, EventType.SUBSCRIPTION_ACTIVATED)

    def _bill(self, account: Account, at: datetime, paid: EventType) -> Change:
        """Invoice the subscription's current period, due now, and charge it; `paid` is
        the subscription's event when the charge succeeds.
        """
        account, invoice = self._invoiced(account, at, at)
        account, events = self._charge(account, invoice, at, 1, paid)
        return account, [_created(account, invoice, at), *events]

    def _invoiced(
        self, account: Account, at: datetime, due_at: datetime
    ) -> tuple[Account, Invoice]:
        """The account with the current period's invoice, open, added: the plan's price
        for the cycle, less the account's credit (a credit line, taken from the balance),
        plus tax on the rest.
        """
        current, org = account.subscription, account.organisation
        plan = self.plans[current.plan_id]
        price = plan.price(org.currency, current.billing_cycle)
        credit = credit_to_apply(price, account.credit)
        fee = LineItem(f"{plan.name} plan, {current.billing_cycle.value}", 1, price, price)
        tax = tax_on(price - credit, tax_rate(org.country, org.currency))
        period = (current.current_period_start, current.current_period_end)
        lines = (fee, *credit_lines(credit))
        invoice = next_invoice(
            account, lines, tax, period, issued_at=at, due_at=due_at, paid_at=None
        )
        changed = dataclasses.replace(
            account, invoices=(invoice, *account.invoices), credit=account.credit - credit
        )
        return changed, invoice

    def _charge(
        self, account: Account, invoice: Invoice, at: datetime, attempt: int, paid: EventType
    ) -> Change:
        """Attempt `attempt` (1 = the first) to collect `invoice` from the default card."""
        reason = self._decline(account)
        if reason is None:
            payment_id = self._payment_id(account, invoice, attempt)
            return _collected(account, invoice, at, payment_id, paid)
        card = _default_card(account)
        payment = None
        if card is not None:
            payment = Payment(
                self._payment_id(account, invoice, attempt),
                None,
                invoice.reference,
                invoice.total,
                PaymentStatus.FAILED,
                "card",
                at,
            )
        return _declined(account, invoice, at, attempt, reason, payment)

    def _decline(self, account: Account) -> Decline | None:
        card = _default_card(account)
        if card is None:
            return Decline.NO_PAYMENT_METHOD
        if card.expired:
            return Decline.EXPIRED_CARD
        return Decline.CARD_DECLINED if self.declines else None

    def _payment_id(self, account: Account, invoice: Invoice, attempt: int) -> str:
        org = account.organisation
        return processor_id("pay", 14, self.seed, org.id, "collect", invoice.reference, attempt)


def _collected(
    account: Account, invoice: Invoice, at: datetime, payment_id: str, kind: EventType
) -> Change:
    """`invoice` paid at `at` (by a captured payment unless it came to nothing), the
    subscription ACTIVE: renewed, or activated from a trial or from past due.
    """
    events = []
    payments = account.payments
    if invoice.total.amount > 0:
        payment = Payment(
            payment_id, None, invoice.reference, invoice.total, PaymentStatus.CAPTURED, "card", at
        )
        payments = (payment, *payments)
        events.append(event(account, at, EventType.PAYMENT_SUCCEEDED, invoice, payment))
    paid = dataclasses.replace(invoice, status=InvoiceStatus.PAID, paid_at=at)
    account = dataclasses.replace(_swapped(account, paid), payments=payments, dunning=None)
    account = in_standing(account, SubscriptionStatus.ACTIVE)
    events += [event(account, at, EventType.INVOICE_PAID, paid), event(account, at, kind)]
    return account, events


def _declined(
    account: Account,
    invoice: Invoice,
    at: datetime,
    attempt: int,
    reason: Decline,
    payment: Payment | None,
) -> Change:
    """Attempt `attempt` at `invoice` declined for `reason`: past due with a retry a day
    later, or UNPAID (the customer `suspended`) after the last of terms.ATTEMPTS.
    """
    before = account.subscription.status
    failed = dataclasses.replace(invoice, status=InvoiceStatus.PAYMENT_FAILED, paid_at=None)
    payments = (payment, *account.payments) if payment else account.payments
    account = dataclasses.replace(_swapped(account, failed), payments=payments)
    events = [
        event(
            account, at, EventType.PAYMENT_FAILED, failed, payment, reason=reason, attempt=attempt
        )
    ]
    if attempt >= ATTEMPTS:
        halted = dataclasses.replace(account.subscription, status=SubscriptionStatus.UNPAID)
        billing = dataclasses.replace(account.billing_account, status="suspended")
        account = dataclasses.replace(
            account, subscription=halted, billing_account=billing, dunning=None
        )
        return account, [*events, event(account, at, EventType.SUBSCRIPTION_UNPAID)]
    dunning = Dunning(invoice.reference, attempt, at + RETRY_INTERVAL, reason.value)
    account = dataclasses.replace(
        in_standing(account, SubscriptionStatus.PAST_DUE), dunning=dunning
    )
    if before is not SubscriptionStatus.PAST_DUE:
        events.append(event(account, at, EventType.SUBSCRIPTION_PAST_DUE))
    return account, events


def _overdue(account: Account, start: datetime, to: datetime) -> Iterator[BillingEvent]:
    """Open invoices whose due date came after `start` and by `to`."""
    for invoice in account.invoices:
        if invoice.status is InvoiceStatus.OPEN and start < invoice.due_at <= to:
            yield event(account, invoice.due_at, EventType.INVOICE_OVERDUE, invoice)


def _default_card(account: Account) -> PaymentMethod | None:
    """The card charged: the default one, else the first on file, else None."""
    cards = account.payment_methods
    return next((card for card in cards if card.is_default), cards[0] if cards else None)


def _swapped(account: Account, invoice: Invoice) -> Account:
    """`account` with `invoice` in place of the one with its reference."""
    invoices = tuple(invoice if i.reference == invoice.reference else i for i in account.invoices)
    return dataclasses.replace(account, invoices=invoices)


def _created(account: Account, invoice: Invoice, at: datetime) -> BillingEvent:
    return event(account, at, EventType.INVOICE_CREATED, invoice)
