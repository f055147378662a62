"""The mock's state: the fixtures plus the accounts generation built from them for one seed.

Passed in to `create_app`, never a module global; `reset()` returns it to the state the
fixtures and the seed define. Every change (`update`, with a `lifecycle` transition)
validates first and then swaps one immutable Account under a lock, so a failed request
never leaves state half-changed.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Protocol, TypeVar

from billing_mock.domain.errors import (
    CouponNotFound,
    InvoiceNotFound,
    OrganisationNotFound,
    PlanNotFound,
)
from billing_mock.domain.models import (
    Account,
    Coupon,
    GatewayKeys,
    Invoice,
    Membership,
    Organisation,
    Plan,
    Subscription,
    UsageSummary,
    User,
)
from billing_mock.domain.scenarios import apply_scenario

T = TypeVar("T")

requested_scenario: ContextVar[str | None] = ContextVar("requested_scenario", default=None)
"""A scenario asked for by the current unit of work (a request's `X-Mock-Scenario`): every
account read in it is shown in that state; writes still apply to the real state."""


class AccountSource(Protocol):
    """Builds accounts (see accounts.AccountGenerator)."""

    def account(self, org: Organisation, plan: Plan) -> Account:
        """The organisation's whole account on `plan`, as generated for the seed."""
        ...

    def usage(self, org: Organisation, plan: Plan, subscription: Subscription) -> UsageSummary:
        """Usage of the subscription's current period on `plan`."""
        ...


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
        coupons: Mapping[str, Coupon],
        gateway: GatewayKeys,
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
        self._by_api_key = {m.api_key: (user, m) for user in users for m in user.memberships}
        self._by_session = {m.session: (user, m) for user in users for m in user.memberships}
        self._coupons = {code.upper(): coupon for code, coupon in coupons.items()}
        self.gateway = gateway
        self._source = source
        # Accounts are immutable, so the generated ones can be kept and handed out again.
        self._initial = {
            handle: self._scenario(source.account(org, self._plans[org.plan_id]), org.scenario)
            for handle, org in self._organisations.items()
        }
        self._accounts: dict[str, Account] = {}
        self._invoices: dict[str, tuple[str, Invoice]] = {}
        self._lock = threading.RLock()
        self._version = 0
        self.reset()

    @property
    def version(self) -> int:
        """A number that changes whenever any account changes (a write or a reset), so
        whatever was derived from the state can be kept until it does.
        """
        return self._version

    def reset(self, handle: str | None = None) -> None:
        """Return every account, or only the organisation `handle`'s, to what the fixtures
        and the seed define. Raises OrganisationNotFound for an unknown handle.
        """
        if handle is not None:
            self.organisation(handle)
        with self._lock:
            if handle is None:
                self._accounts = dict(self._initial)
            else:
                self._accounts[handle] = self._initial[handle]
            self._version += 1
            self._invoices = {
                invoice.reference: (owner, invoice)
                for owner, account in self._accounts.items()
                for invoice in account.invoices
            }

    def scenario_of(self, handle: str) -> str | None:
        """The scenario the organisation is shown in: the request's, else its fixture's."""
        return requested_scenario.get() or self.organisation(handle).scenario

    def _scenario(self, account: Account, name: str | None) -> Account:
        if not name:
            return account
        plan = self._plans[account.subscription.plan_id]
        return apply_scenario(account, name, self.as_of, plan=plan)

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

    def member_by_api_key(self, key: str) -> tuple[User, Membership] | None:
        """The user and membership whose API key (`X-API-Key`) this is, or None."""
        return self._by_api_key.get(key)

    def member_by_session(self, session: str) -> tuple[User, Membership] | None:
        """The user and membership whose session cookie this is, or None."""
        return self._by_session.get(session)

    def coupon(self, code: str) -> Coupon:
        """The coupon with this code, in any letter case; raises CouponNotFound."""
        try:
            return self._coupons[code.upper()]
        except KeyError:
            raise CouponNotFound(code) from None

    def account(self, handle: str) -> Account:
        """The organisation's billing account, in the requested scenario if there is one;
        raises OrganisationNotFound (and UnknownScenario for an unknown requested one).
        """
        self.organisation(handle)
        with self._lock:
            account = self._accounts[handle]
        return self._scenario(account, requested_scenario.get())

    def invoices(self, handle: str) -> Sequence[Invoice]:
        """The organisation's invoices, newest first; raises OrganisationNotFound."""
        return self.account(handle).invoices

    def invoice_by_reference(self, reference: str) -> tuple[Organisation, Invoice]:
        """The invoice with this processor id (`in_...`) and its organisation; raises NotFound."""
        with self._lock:
            found = self._invoices.get(reference)
        if found is None:
            raise InvoiceNotFound()
        return self._organisations[found[0]], found[1]

    def update(
        self, handle: str, change: Callable[[Account], tuple[Account, T]]
    ) -> tuple[Account, T]:
        """Apply `change` (a `lifecycle` transition) to the organisation's account at once.

        `change` gets the current Account and returns the new one and a result; both
        are returned (the Account as stored). It runs under the store's lock, so
        concurrent changes to one organisation happen one after the other; if it
        raises, nothing is written. Usage is re-derived when the plan or period
        changed. Raises OrganisationNotFound.
        """
        self.organisation(handle)
        with self._lock:
            before = self._accounts[handle]
            after, result = change(before)
            if after is before:
                return after, result
            subscription = after.subscription
            if (subscription.plan_id, subscription.current_period_start) != (
                before.subscription.plan_id,
                before.subscription.current_period_start,
            ):
                usage = self._source.usage(
                    after.organisation, self.plan(subscription.plan_id), subscription
                )
                after = dataclasses.replace(after, usage=usage)
            self._accounts[handle] = after
            self._version += 1
            for invoice in after.invoices[: len(after.invoices) - len(before.invoices)]:
                self._invoices[invoice.reference] = (handle, invoice)
            return after, result
