"""The mock's state: the fixtures plus the accounts generation built from them for one seed.

Passed in to `create_app` (through `data.stores.Stores`), never a module global; `reset()`
returns it to the state the fixtures and the seed define. A scenario asked for by one
request is a view (`in_scenario`): the same state, every account read shown in the
scenario, writes applied to the real state. Every change (`update`, with a `lifecycle` transition)
validates first and then swaps one immutable Account under a lock, so a failed request
never leaves state half-changed.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
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


class AccountSource(Protocol):
    """Builds accounts (see accounts.AccountGenerator)."""

    def account(self, org: Organisation, plan: Plan) -> Account:
        """The organisation's whole account on `plan`, as generated for the seed."""
        ...

    def usage(self, org: Organisation, plan: Plan, subscription: Subscription) -> UsageSummary:
        """Usage of the subscription's current period on `plan`."""
        ...


@dataclasses.dataclass(slots=True)
class _State:
    """What changes: shared by a Store and its scenario views."""

    accounts: dict[str, Account]
    invoices: dict[str, tuple[str, Invoice]]
    payments: dict[str, str] = dataclasses.field(default_factory=dict)
    """Every payment id in any account, to the handle holding it: the gateway's own index."""
    version: int = 0
    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock)


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
        self._state = _State({}, {})
        self._requested: str | None = None
        self.reset()

    def in_scenario(self, name: str) -> Store:
        """A view of this Store in which every account read is shown in scenario `name`
        (a request's `X-Mock-Scenario`); it shares the state, so writes through it apply
        to the real accounts. Reads raise UnknownScenario for an unknown name.
        """
        # A shallow copy shares every mapping and the state; only the scenario differs.
        view = copy.copy(self)
        view._requested = name
        return view

    def fork(self, scenarios: Mapping[str, str] | None = None) -> Store:
        """A new world of the same fixtures and seed (a sandbox): its own state, at the
        fixtures' start rather than this Store's present, with each organisation named in
        `scenarios` (handle -> scenario name) in that scenario from the start. Costs a copy
        of the generated accounts, and generation again only for those organisations.
        Raises OrganisationNotFound and UnknownScenario (nothing is made then).
        """
        # A shallow copy shares the fixtures and the generated accounts, all immutable.
        fork = copy.copy(self)
        fork._requested = None
        if scenarios:
            organisations, initial = dict(self._organisations), dict(self._initial)
            for handle, name in scenarios.items():
                org = dataclasses.replace(self.organisation(handle), scenario=name)
                generated = self._source.account(org, self._plans[org.plan_id])
                organisations[handle], initial[handle] = org, self._scenario(generated, name)
            fork._organisations = organisations
            fork._by_id = {org.id: org for org in organisations.values()}
            fork._initial = initial
        fork._state = _State({}, {})
        fork.reset()
        return fork

    def scenarios(self) -> dict[str, str]:
        """The organisations shown in a scenario from the start, handle -> scenario name."""
        return {org.handle: org.scenario for org in self._organisations.values() if org.scenario}

    @property
    def version(self) -> int:
        """A number that changes whenever any account changes (a write or a reset), so
        whatever was derived from the state can be kept until it does.
        """
        return self._state.version

    def reset(self, handle: str | None = None) -> None:
        """Return every account, or only the organisation `handle`'s, to what the fixtures
        and the seed define. Raises OrganisationNotFound for an unknown handle.
        """
        if handle is not None:
            self.organisation(handle)
        state = self._state
        with state.lock:
            if handle is None:
                state.accounts = dict(self._initial)
            else:
                state.accounts[handle] = self._initial[handle]
            state.version += 1
            state.invoices = {
                invoice.reference: (owner, invoice)
                for owner, account in state.accounts.items()
                for invoice in account.invoices
            }
            state.payments = {
                payment.id: owner
                for owner, account in state.accounts.items()
                for payment in account.payments
            }

    def scenario_of(self, handle: str) -> str | None:
        """The scenario the organisation is shown in: the request's, else its fixture's."""
        return self._requested or self.organisation(handle).scenario

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

    def plan_of(self, account: Account) -> Plan:
        """The plan `account`'s subscription is on; raises PlanNotFound."""
        return self.plan(account.subscription.plan_id)

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
        with self._state.lock:
            account = self._state.accounts[handle]
        return self._scenario(account, self._requested)

    def invoices(self, handle: str) -> Sequence[Invoice]:
        """The organisation's invoices, newest first; raises OrganisationNotFound."""
        return self.account(handle).invoices

    def invoice_by_reference(self, reference: str) -> tuple[Organisation, Invoice]:
        """The invoice with this processor id (`in_...`) and its organisation; raises NotFound."""
        with self._state.lock:
            found = self._state.invoices.get(reference)
        if found is None:
            raise InvoiceNotFound()
        return self._organisations[found[0]], found[1]

    def payment_captured(self, payment_id: str) -> bool:
        """Whether any organisation's account holds a payment with this gateway id
        (`pay_...`): Razorpay's payment ids are unique across the gateway. Called from
        an `update` change, it sees the state that change will replace (the lock is
        reentrant and shared by every organisation).
        """
        with self._state.lock:
            return payment_id in self._state.payments

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
        state = self._state
        with state.lock:
            before = state.accounts[handle]
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
            state.accounts[handle] = after
            state.version += 1
            # Transitions only prepend invoices and payments, so the new ones come first.
            for invoice in after.invoices[: len(after.invoices) - len(before.invoices)]:
                state.invoices[invoice.reference] = (handle, invoice)
            for payment in after.payments[: len(after.payments) - len(before.payments)]:
                state.payments[payment.id] = handle
            return after, result
