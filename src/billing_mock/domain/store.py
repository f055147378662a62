"""The mock's state: the fixtures plus the accounts generation built from them for one seed.

Passed in to `create_app`, never a module global; `reset()` returns it to the state the
fixtures and the seed define. Every change validates first and then swaps one immutable
Account under a lock, so a failed request never leaves state half-changed.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from dateutil.relativedelta import relativedelta

from billing_mock.domain.errors import NotFound, OrganisationNotFound, PlanNotFound, PlanUnchanged
from billing_mock.domain.models import (
    Account,
    BillingCycle,
    Invoice,
    Organisation,
    Plan,
    Subscription,
    SubscriptionStatus,
    UsageSummary,
    User,
)

INVOICE_NOT_FOUND = "Invoice not found"

CYCLE_LENGTH = {BillingCycle.MONTHLY: relativedelta(months=1), BillingCycle.YEARLY: relativedelta(years=1)}


class AccountSource(Protocol):
    """Builds accounts (see accounts.AccountGenerator)."""

    def account(self, org: Organisation, plan: Plan) -> Account: ...

    def usage(self, org: Organisation, plan: Plan, subscription: Subscription) -> UsageSummary: ...


class Store:
    """Organisations, users and their billing accounts in one running mock.

    Lookups raise domain errors (OrganisationNotFound, PlanNotFound, NotFound) or
    return None (unknown credentials), never KeyError.
    """

    def __init__(
        self,
        *,
        organisations: Sequence[Organisation],
        plans: Mapping[str, Plan],
        users: Sequence[User],
        source: AccountSource,
        seed: int,
        as_of: datetime,
    ) -> None:
        self.seed = seed
        self.as_of = as_of
        self._organisations = {org.handle: org for org in organisations}
        self._by_id = {org.id: org for org in organisations}
        self._plans = dict(plans)
        self._users = tuple(users)
        self._by_jwt = {user.jwt: user for user in users}
        self._by_api_token = {user.api_token: user for user in users}
        self._by_bearer = {user.bearer: user for user in users}
        self._source = source
        self._accounts: dict[str, Account] = {}
        self._invoices: dict[str, tuple[str, Invoice]] = {}
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Rebuild every account from the fixtures and the seed."""
        accounts = {
            handle: self._source.account(org, self._plans[org.plan_id])
            for handle, org in self._organisations.items()
        }
        references = {
            invoice.reference: (handle, invoice)
            for handle, account in accounts.items()
            for invoice in account.invoices
        }
        with self._lock:
            self._accounts, self._invoices = accounts, references

    def organisation(self, handle: str) -> Organisation:
        """The organisation with this handle; raises OrganisationNotFound."""
        try:
            return self._organisations[handle]
        except KeyError:
            raise OrganisationNotFound(handle) from None

    def organisation_by_id(self, org_id: str) -> Organisation:
        """The organisation with this UUID; raises OrganisationNotFound."""
        try:
            return self._by_id[org_id]
        except KeyError:
            raise OrganisationNotFound(org_id) from None

    def organisations(self) -> list[Organisation]:
        """Every organisation, in fixture order."""
        return list(self._organisations.values())

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id; raises PlanNotFound."""
        try:
            return self._plans[plan_id]
        except KeyError:
            raise PlanNotFound(plan_id) from None

    def users(self) -> tuple[User, ...]:
        """Every user, in fixture order."""
        return self._users

    def user_by_jwt(self, token: str) -> User | None:
        """The user whose session JWT this is, or None."""
        return self._by_jwt.get(token)

    def user_by_api_token(self, token: str) -> User | None:
        """The user whose API token this is, or None."""
        return self._by_api_token.get(token)

    def user_by_bearer(self, token: str) -> User | None:
        """The user whose bearer token this is, or None."""
        return self._by_bearer.get(token)

    def account(self, handle: str) -> Account:
        """The organisation's billing account; raises OrganisationNotFound."""
        self.organisation(handle)
        with self._lock:
            return self._accounts[handle]

    def invoices(self, handle: str) -> Sequence[Invoice]:
        """The organisation's invoices, newest first; raises OrganisationNotFound."""
        return self.account(handle).invoices

    def invoice_by_reference(self, reference: str) -> tuple[Organisation, Invoice]:
        """The invoice with this processor id (`in_...`) and its organisation; raises NotFound."""
        with self._lock:
            found = self._invoices.get(reference)
        if found is None:
            raise NotFound(INVOICE_NOT_FOUND)
        return self._organisations[found[0]], found[1]

    def change_plan(self, handle: str, plan_id: str, cycle: BillingCycle) -> Account:
        """Move the organisation to `plan_id` billed every `cycle`; returns the new Account.

        A trial keeps its period; otherwise the period restarts at the mock's "now".
        Raises OrganisationNotFound, PlanNotFound, or PlanUnchanged when nothing would
        change; nothing is written before every check has passed.
        """
        plan = self.plan(plan_id)
        with self._lock:
            account = self.account(handle)
            current = account.subscription
            if (current.plan_id, current.billing_cycle) == (plan_id, cycle):
                raise PlanUnchanged()
            if current.status is SubscriptionStatus.TRIALING:
                start, end = current.current_period_start, current.current_period_end
            else:
                start, end = self.as_of, self.as_of + CYCLE_LENGTH[cycle]
            subscription = dataclasses.replace(
                current,
                plan_id=plan_id,
                billing_cycle=cycle,
                current_period_start=start,
                current_period_end=end,
            )
            usage = self._source.usage(account.organisation, plan, subscription)
            changed = dataclasses.replace(account, subscription=subscription, usage=usage)
            self._accounts[handle] = changed
            return changed
