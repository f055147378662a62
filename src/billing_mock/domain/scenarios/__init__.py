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
    trial-ending             a new customer on a 14-day trial that ends two days after
                             now: nothing invoiced, paid or credited yet
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

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from billing_mock.domain.errors import InvalidRequest
from billing_mock.domain.models import Account, Plan
from billing_mock.domain.scenarios.base import Scenario, ScenarioFunction, ScenarioNotApplicable
from billing_mock.domain.scenarios.cards import expired_card, no_payment_method
from billing_mock.domain.scenarios.invoices import failed_payment, overdue_invoice
from billing_mock.domain.scenarios.trials import (
    cancelled_at_period_end,
    empty_invoice_history,
    trial_ending,
)

__all__ = [
    "SCENARIOS",
    "Scenario",
    "ScenarioFunction",
    "ScenarioNotApplicable",
    "UnknownScenario",
    "apply_scenario",
]


UNKNOWN_SCENARIO = "Unknown scenario '{name}'; known: {known}"


class UnknownScenario(InvalidRequest):
    """No scenario has this name; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(UNKNOWN_SCENARIO.format(name=name, known=", ".join(SCENARIOS)))
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
                "subscription is past due; on the billing clock, every charge is declined.",
                failed_payment,
                declines_charges=True,
            ),
            Scenario(
                "expired-card",
                "The default card expired last month and no other card on file is valid.",
                expired_card,
            ),
            Scenario(
                "trial-ending",
                "A new customer on a free trial that ends in two days: nothing invoiced yet.",
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
