"""Named domain scenarios: fixture states that a status code alone cannot express (issue 6).

A scenario is a pure function of an organisation's Account and the mock's "now": it
returns a new Account (never changes the one given) that is consistent as a whole, so
every API that shows the organisation tells the same story: invoice statuses, `paid_at`
and payments agree; a past-due subscription has a declined latest invoice and a
past-due customer record; a card's `expired` matches its expiry date. In listing order:

    overdue-invoice          newest subscription invoice open, past its due date, no
                             payment; the subscription active
    failed-payment           newest subscription invoice's charge declined (a failed
                             payment); the subscription and customer past due
    expired-card             every card on file expired, the default one last month
    trial-ending             on a 14-day trial that ends two days after now
    cancelled-at-period-end  cancelled now, ends with its current period, no renewal
    no-payment-method        no card on file
    empty-invoice-history    nothing invoiced or paid: the trial generation gives an
                             organisation without invoices

Where an organisation's state does not fit, the scenario makes it fit in the most
plausible way, as each function's docstring says. Only a first invoice cannot be made
from an Account alone (plans, and so prices, live in the Store): overdue-invoice and
failed-payment need the subscription's `plan` for an organisation that has no
subscription invoice yet, and raise ScenarioNotApplicable without it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Protocol

from billing_mock.domain.errors import Conflict, InvalidRequest
from billing_mock.domain.identifiers import invoice_id, invoice_reference, processor_id
from billing_mock.domain.models import (
    Account,
    ChargeType,
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
    start_of_day,
)
from billing_mock.domain.money import Money
from billing_mock.domain.tax import tax_on, tax_rate
from billing_mock.domain.terms import (
    CUSTOMER_LEAD,
    CYCLE_LENGTH,
    PAYMENT_TERMS,
    TRIAL,
    TRIAL_AGE,
)

UNKNOWN_SCENARIO = "Unknown scenario '{name}'; known: {known}"
NEEDS_AN_INVOICE = (
    "Scenario '{name}' needs a subscription invoice, and the organization has none yet"
)

TRIAL_LEFT = timedelta(days=2)
"""What is left of the trial in trial-ending."""
EXPIRED_CARD_LAST4 = "0069"
"""The card expired-card adds when none is on file: Stripe's test card for expired_card."""


class ScenarioFunction(Protocol):
    """(account, now) -> the account in the scenario's state.

    `plan`, the subscription's plan, is used only to invoice an organisation that has
    no subscription invoice yet (overdue-invoice, failed-payment); the others ignore it.
    """

    def __call__(self, account: Account, now: datetime, plan: Plan | None = None) -> Account:
        """The account in the scenario's state at `now`."""
        ...


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, documented state an organisation can be shown in."""

    name: str
    """Kebab-case (`overdue-invoice`): what the control API and `X-Mock-Scenario` say."""
    description: str
    """One sentence for the README and the control API's listing."""
    apply: ScenarioFunction
    """(account, now) -> the account in this state."""


class UnknownScenario(InvalidRequest):
    """No scenario has this name; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(UNKNOWN_SCENARIO.format(name=name, known=", ".join(SCENARIOS)))
        self.name = name


class ScenarioNotApplicable(Conflict):
    """The scenario marks a subscription invoice, the organisation has none, and no plan
    was given to invoice it with.
    """

    def __init__(self, name: str) -> None:
        super().__init__(NEEDS_AN_INVOICE.format(name=name))
        self.name = name


def apply_scenario(
    account: Account, name: str, now: datetime, *, plan: Plan | None = None
) -> Account:
    """`account` in the scenario `name` at `now`; the account given is left as it was.

    `plan` is the subscription's plan; pass it so that overdue-invoice and failed-payment
    apply to an organisation that has not been invoiced yet. Raises UnknownScenario
    (naming the known ones) and ScenarioNotApplicable.
    """
    try:
        scenario = SCENARIOS[name]
    except KeyError:
        raise UnknownScenario(name) from None
    return scenario.apply(account, now, plan)


# --- the scenarios ---------------------------------------------------------------------


def overdue_invoice(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """The newest subscription invoice open and past due, its payments gone; the
    subscription ACTIVE (reopened if it had ended) and the customer `active`.

    An invoice still within its terms is issued earlier, in advance of its unchanged
    period, by whole days until it fell due yesterday. An organisation without one gets
    a first invoice from `plan` (see `_invoiced`).
    """
    account, index, invoice = _invoiced(account, plan, now, "overdue-invoice")
    older = account.invoices[index + 1] if index + 1 < len(account.invoices) else None
    issued_at, due_at = _overdue_dates(invoice, older, now)
    unpaid = dataclasses.replace(
        invoice, status=InvoiceStatus.OPEN, paid_at=None, issued_at=issued_at, due_at=due_at
    )
    changed = _without_payments(_with_invoice(account, index, unpaid), {invoice.reference})
    return _standing(changed, SubscriptionStatus.ACTIVE)


def failed_payment(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """The newest subscription invoice PAYMENT_FAILED, with a FAILED payment in place of
    any other for it; the subscription PAST_DUE (reopened if it had ended), the customer
    `past_due`.

    The declined payment is the invoice's last attempt, declined, or else a card charge
    on its due date (or now, if that is still to come). An organisation without a
    subscription invoice gets a first one from `plan` (see `_invoiced`).
    """
    account, index, invoice = _invoiced(account, plan, now, "failed-payment")
    attempt = _declined(account, invoice, now)
    declined = dataclasses.replace(invoice, status=InvoiceStatus.PAYMENT_FAILED, paid_at=None)
    changed = _without_payments(_with_invoice(account, index, declined), {invoice.reference})
    payments = sorted((attempt, *changed.payments), key=lambda item: item.created_at, reverse=True)
    return _standing(
        dataclasses.replace(changed, payments=tuple(payments)), SubscriptionStatus.PAST_DUE
    )


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
    return _customer_since(
        dataclasses.replace(account, payment_methods=expired),
        min(card.created_at for card in expired),
    )


def trial_ending(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """TRIALING on a 14-day trial that ends (with the current period) two days after now.

    Whatever the subscription was, it is now that trial, not cancelling, and the customer
    is `active`. History from before the trial stays; invoices issued since it began, and
    subscription invoices for periods reaching into it, are removed with their payments
    (from the newest down, so numbers stay consecutive).
    """
    start = now + TRIAL_LEFT - TRIAL
    return _trial(_history_before(account, start), start, now)


def cancelled_at_period_end(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """Cancelled now, to end with the current period: `cancel_at_period_end`,
    `cancelled_at` now, no auto-renewal; the status is kept (ACTIVE, or a TRIALING trial
    that will not convert, or PAST_DUE: cancelling does not settle a declined invoice).

    An ended subscription is first reopened: for its period if that still runs (it was
    cancelled at once), ACTIVE when it was invoiced, else TRIALING; for a lapsed trial, a
    new trial begun five days ago.
    """
    if account.subscription.has_ended:
        account = _reopened(account, now)
    cancelling = dataclasses.replace(
        account.subscription, cancel_at_period_end=True, cancelled_at=now, auto_renew=False
    )
    return _with_subscription(account, cancelling)


def no_payment_method(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """No payment method on file; nothing else changes."""
    return dataclasses.replace(account, payment_methods=())


def empty_invoice_history(account: Account, now: datetime, plan: Plan | None = None) -> Account:
    """No invoices, payments or credit, and the trial generation makes for an
    organisation without invoices: begun on the fixture's `trial_started` (else five days
    before now), TRIALING for 14 days, CANCELED once that lapsed. Checkout orders that
    were paid are unpaid again. For such an organisation, its account as generated.
    """
    org = account.organisation
    start = start_of_day(org.trial_started or (now.date() - TRIAL_AGE))
    cleared = _without_invoices(account, len(account.invoices))
    return _trial(dataclasses.replace(cleared, credit=Money.zero(org.currency)), start, now)


SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        scenario.name: scenario
        for scenario in (
            Scenario(
                "overdue-invoice",
                "The newest subscription invoice is unpaid and past its due date, while "
                "the subscription is still active.",
                overdue_invoice,
            ),
            Scenario(
                "failed-payment",
                "The charge for the newest subscription invoice was declined, so the "
                "subscription is past due.",
                failed_payment,
            ),
            Scenario(
                "expired-card",
                "The default card expired last month and no other card on file is valid.",
                expired_card,
            ),
            Scenario(
                "trial-ending",
                "The subscription is on a free trial that ends in two days.",
                trial_ending,
            ),
            Scenario(
                "cancelled-at-period-end",
                "The subscription was cancelled just now and ends with its current "
                "period instead of renewing.",
                cancelled_at_period_end,
            ),
            Scenario(
                "no-payment-method",
                "No payment method is on file.",
                no_payment_method,
            ),
            Scenario(
                "empty-invoice-history",
                "Nothing has been invoiced or paid yet: the organization is on its trial.",
                empty_invoice_history,
            ),
        )
    }
)
"""Every scenario by name, in the order the module docstring lists them."""


# --- invoices and payments -------------------------------------------------------------


def _newest_subscription_invoice(account: Account) -> tuple[int, Invoice] | None:
    """(index, invoice) of the newest subscription invoice, or None."""
    return next(
        (
            (index, invoice)
            for index, invoice in enumerate(account.invoices)
            if invoice.charge_type is ChargeType.SUBSCRIPTION
        ),
        None,
    )


def _invoiced(
    account: Account, plan: Plan | None, now: datetime, scenario: str
) -> tuple[Account, int, Invoice]:
    """(account, index, invoice): its newest subscription invoice; else, with `plan`, the
    subscription converted to a paid one after a 14-day trial, its first invoice (open)
    issued eight days ago for one billing cycle of the plan. Without `plan`, raises
    ScenarioNotApplicable.
    """
    found = _newest_subscription_invoice(account)
    if found is not None:
        return account, *found
    if plan is None:
        raise ScenarioNotApplicable(scenario)
    org, current = account.organisation, account.subscription
    start = start_of_day(now.date() - PAYMENT_TERMS - timedelta(days=1))
    end = start + CYCLE_LENGTH[current.billing_cycle]
    fee = plan.price(org.currency, current.billing_cycle)
    rate = tax_rate(org.country, org.currency)
    number = account.invoices[0].number + 1 if account.invoices else org.first_invoice_number
    invoice = Invoice(
        id=invoice_id(org.handle, number),
        reference=invoice_reference(org.id, number),
        number=number,
        organisation=org.handle,
        charge_type=ChargeType.SUBSCRIPTION,
        status=InvoiceStatus.OPEN,
        currency=org.currency,
        line_items=(LineItem(f"{plan.name} plan, {current.billing_cycle.value}", 1, fee, fee),),
        tax=tax_on(fee, rate),
        tax_rate=rate,
        issued_at=start,
        due_at=start + PAYMENT_TERMS,
        paid_at=None,
        period_start=start.date(),
        period_end=end.date(),
    )
    paid = dataclasses.replace(
        _live(current), started_at=start - TRIAL, current_period_start=start, current_period_end=end
    )
    changed = dataclasses.replace(account, invoices=(invoice, *account.invoices))
    changed = _with_subscription(changed, paid)
    return _customer_since(changed, paid.started_at - CUSTOMER_LEAD), 0, invoice


def _overdue_dates(
    invoice: Invoice, older: Invoice | None, now: datetime
) -> tuple[datetime, datetime]:
    """(issued_at, due_at) of `invoice` made overdue at `now`, its terms kept if they can be."""
    if invoice.due_at < now:
        return invoice.issued_at, invoice.due_at
    shift = timedelta(days=(invoice.due_at.date() - now.date()).days + 1)
    issued_at, due_at = invoice.issued_at - shift, invoice.due_at - shift
    if older is None or issued_at > older.issued_at:
        return issued_at, due_at
    # The invoice before it (a top-up) was issued within the terms before now: issue this
    # one after it, so the order of issue holds, on terms short enough to have lapsed.
    third = (now - older.issued_at) / 3
    return older.issued_at + third, now - third


def _declined(account: Account, invoice: Invoice, now: datetime) -> Payment:
    """The invoice's last payment attempt declined, or a new declined card charge."""
    for payment in account.payments:  # newest first: the last attempt
        if payment.invoice_reference == invoice.reference:
            return dataclasses.replace(payment, status=PaymentStatus.FAILED, amount=invoice.total)
    return Payment(
        id=processor_id("pay", 14, "scenario", account.organisation.id, invoice.reference),
        order_id=None,
        invoice_reference=invoice.reference,
        amount=invoice.total,
        status=PaymentStatus.FAILED,
        method="card",
        created_at=min(invoice.due_at, now),
    )


def _with_invoice(account: Account, index: int, invoice: Invoice) -> Account:
    invoices = (*account.invoices[:index], invoice, *account.invoices[index + 1 :])
    return dataclasses.replace(account, invoices=invoices)


def _without_payments(account: Account, references: set[str]) -> Account:
    """Without the payments of the invoices with these `references`; checkout orders they
    paid are unpaid again.
    """
    removed = {item.id for item in account.payments if item.invoice_reference in references}
    return dataclasses.replace(
        account,
        payments=tuple(item for item in account.payments if item.id not in removed),
        orders=tuple(
            dataclasses.replace(
                order, status=OrderStatus.CREATED, payment_id=None, invoice_reference=None
            )
            if order.payment_id in removed
            else order
            for order in account.orders
        ),
    )


def _without_invoices(account: Account, count: int) -> Account:
    """Without the `count` newest invoices, and without every payment not for one kept."""
    kept = account.invoices[count:]
    references = {item.reference for item in kept}
    gone = {item.invoice_reference for item in account.payments} - references
    return _without_payments(dataclasses.replace(account, invoices=kept), gone)


def _history_before(account: Account, start: datetime) -> Account:
    """Without the invoices (and their payments) issued since `start` or for a
    subscription period that reaches past it: the newest down to the oldest such one.
    """
    reaching = [
        index
        for index, item in enumerate(account.invoices)
        if item.issued_at >= start
        or (item.charge_type is ChargeType.SUBSCRIPTION and start_of_day(item.period_end) > start)
    ]
    return _without_invoices(account, max(reaching) + 1) if reaching else account


# --- subscription, customer and cards --------------------------------------------------


def _live(current: Subscription) -> Subscription:
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


def _standing(account: Account, status: SubscriptionStatus) -> Account:
    """The subscription in `status` (ACTIVE or PAST_DUE), reopened if it had ended or was
    on trial; the customer record `past_due` with it, else `active`.
    """
    current = account.subscription
    if current.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        current = _live(current)
    billing = dataclasses.replace(
        account.billing_account,
        status="past_due" if status is SubscriptionStatus.PAST_DUE else "active",
    )
    subscription = dataclasses.replace(current, status=status)
    return dataclasses.replace(account, subscription=subscription, billing_account=billing)


def _trial(account: Account, start: datetime, now: datetime) -> Account:
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
    return _customer_since(_with_subscription(changed, trial), start - CUSTOMER_LEAD)


def _reopened(account: Account, now: datetime) -> Account:
    """An ended subscription running again: for its period if that still runs (PAST_DUE
    if its newest invoice was declined), else as a new trial begun five days before now.
    """
    current, found = account.subscription, _newest_subscription_invoice(account)
    if current.current_period_end <= now:
        return _trial(account, start_of_day(now.date() - TRIAL_AGE), now)
    if found is None:
        trial = dataclasses.replace(
            _live(current), status=SubscriptionStatus.TRIALING, trial_end=current.current_period_end
        )
        return _with_subscription(account, trial)
    failed = found[1].status is InvoiceStatus.PAYMENT_FAILED
    return _standing(account, SubscriptionStatus.PAST_DUE if failed else SubscriptionStatus.ACTIVE)


def _with_subscription(account: Account, subscription: Subscription) -> Account:
    """`subscription` in place, and usage measured over its current period (the counts
    are kept: the Store re-derives them when a period changes through it).
    """
    usage = dataclasses.replace(
        account.usage,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
    )
    return dataclasses.replace(account, subscription=subscription, usage=usage)


def _customer_since(account: Account, moment: datetime) -> Account:
    """The customer record made no later than `moment`."""
    record = account.billing_account
    if record.created_at <= moment:
        return account
    return dataclasses.replace(
        account, billing_account=dataclasses.replace(record, created_at=moment)
    )


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
