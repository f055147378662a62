"""What a scenario is, and the error of one that cannot apply: shared by every family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from billing_mock.domain.errors import Conflict
from billing_mock.domain.models import Account, Plan

NEEDS_AN_INVOICE = (
    "Scenario '{name}' needs a subscription invoice, and the organization has none yet"
)


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
    declines_charges: bool = False
    """Whether the billing clock's charges (renewals, retries) fail for an organisation
    in this scenario from its start, so its dunning runs to the end."""


class ScenarioNotApplicable(Conflict):
    """The scenario marks a subscription invoice, the organisation has none, and no plan
    was given to invoice it with.
    """

    def __init__(self, name: str) -> None:
        super().__init__(NEEDS_AN_INVOICE.format(name=name))
        self.name = name
