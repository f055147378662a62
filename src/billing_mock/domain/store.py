"""The mock's state: the fixtures, the accounts generated from them for one seed, a clock.

Passed in to `create_app` (through `data.stores.Stores`), never a module global; `reset()`
returns it to the start the fixtures and the seed define. A request's scenario is a view
(`in_scenario`): every account read shown in it, writes applied to the real state. Every
change (`update` with a `lifecycle` transition, `advance` with the billing clock)
validates first and then swaps immutable Accounts under a lock, so a failed request
never leaves state half-changed.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from billing_mock.domain import clock
from billing_mock.domain.errors import (
    ClockOutOfRange,
    ClockWentBack,
    CouponNotFound,
    InvoiceNotFound,
    OrganisationNotFound,
    PlanNotFound,
)
from billing_mock.domain.events import BillingEvent
from billing_mock.domain.keeper import Keeper, StateBusy
from billing_mock.domain.models import (
    Account,
    Coupon,
    GatewayKeys,
    Invoice,
    Membership,
    Organisation,
    Plan,
    User,
)
from billing_mock.domain.persistence import SandboxRecord, StateBackend
from billing_mock.domain.scenarios import SCENARIOS, apply_scenario
from billing_mock.domain.state import AccountSource, Change, State
from billing_mock.domain.terms import MAX_CLOCK_SPAN

T = TypeVar("T")

COMMIT_ATTEMPTS = 100
"""How often a change is computed again after another process's write came first."""


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
        self._state = State({}, {})
        self._keeper: Keeper | None = None
        self._requested: str | None = None
        self.reset()

    def in_scenario(self, name: str) -> Store:
        """A view of this Store in which every account read is shown in scenario `name`
        (a request's `X-Mock-Scenario`); it shares the state, so writes through it apply
        to the real accounts. Reads raise UnknownScenario for an unknown name.
        """
        view = copy.copy(self)  # sharing every mapping and the state
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
        fork._state, fork._keeper = State({}, {}), None
        fork.reset()
        return fork

    def scenarios(self) -> dict[str, str]:
        """The organisations shown in a scenario from the start, handle -> scenario name."""
        return {org.handle: org.scenario for org in self._organisations.values() if org.scenario}

    @property
    def version(self) -> int:
        """A number that changes whenever any account changes (a write or a reset, in any
        process sharing the backend), so what was derived from the state can be kept
        until it does.
        """
        with self._state.lock:
            self._fresh()
            return self._state.version

    def attach(self, backend: StateBackend, record: SandboxRecord) -> None:
        """Keep this Store's state in `backend` from now on, as `record` (its sandbox's,
        made from this Store's seed and scenarios) holds it. Raises BackendError.
        """
        keeper = Keeper(backend, record.name)
        with self._state.lock:
            keeper.load(self._state, record, self._initial, self.as_of)
            self._keeper = keeper

    @property
    def generation(self) -> str | None:
        """Which making of its sandbox this Store holds, when kept in a backend."""
        return self._state.stamp.generation if self._state.stamp else None

    def _fresh(self) -> None:
        """The state as the backend holds it now (nothing to do without one). Not within
        a transaction: what it computes from must stay what it commits over.
        """
        if self._keeper is not None and not self._state.transacting:
            self._keeper.refresh(self._state, self._initial, self.as_of)

    def _transact(self, compute: Callable[[], Change[T]]) -> T:
        """Apply what `compute` returns, computed on the freshest state: with a backend,
        committed only over the state it saw, else computed again. Raises what `compute`
        raises (nothing written) and StateBusy when other writers keep winning.
        """
        state = self._state
        with state.lock:
            for _ in range(COMMIT_ATTEMPTS):
                self._fresh()
                state.transacting = True
                try:
                    change = compute()
                finally:
                    state.transacting = False
                if change.empty:
                    return change.result
                if self._keeper is None:
                    state.version += 1
                elif not self._keeper.commit(state, change):
                    continue
                state.apply(change, self._initial, self.as_of)
                return change.result
        raise StateBusy()

    def reset(self, handle: str | None = None) -> None:
        """Return every account, and the clock, to what the fixtures and the seed define
        (the clock at `as_of`, no events kept); or only the organisation `handle`'s
        account, to its start run on to the clock's present (recording no events).
        Raises OrganisationNotFound for an unknown handle.
        """
        if handle is None:
            self._transact(lambda: Change(None, now=self.as_of, restart=True))
            return
        self.organisation(handle)

        def again() -> Change[None]:
            now = self._state.now or self.as_of
            account = self._advanced(handle, self._initial[handle], self.as_of, now)[0]
            return Change(None, {handle: account}, reindex=True)

        self._transact(again)

    @property
    def now(self) -> datetime:
        """The sandbox's billing clock (UTC): the fixtures' `as_of` until it is moved."""
        with self._state.lock:
            self._fresh()
            now = self._state.now
        assert now is not None  # set by the reset every Store starts with
        return now

    def events(self) -> tuple[BillingEvent, ...]:
        """The newest EVENTS_KEPT billing events of the clock's moves, oldest first."""
        if self._keeper is not None:
            return self._keeper.events()
        with self._state.lock:
            return tuple(self._state.events)

    def advance(
        self, to: datetime | Callable[[datetime], datetime]
    ) -> tuple[datetime, tuple[BillingEvent, ...]]:
        """Move the clock forward to `to` (UTC; or `to(now)`, computed under the lock),
        running billing for every organisation at every boundary on the way
        (`clock.advance`). Out: the clock before, and what happened, oldest first (ties
        in fixture order), each with its `evt_...` id. All accounts change or none:
        ClockWentBack (before now), ClockOutOfRange (past `as_of` + MAX_CLOCK_SPAN, or
        OverflowError from `to`) and `to`'s own errors are raised before any change.
        """
        state = self._state

        def move() -> Change[tuple[datetime, tuple[BillingEvent, ...]]]:
            start = state.now
            assert start is not None
            try:
                end = to(start) if callable(to) else to
            except OverflowError:
                raise ClockOutOfRange(self.as_of + MAX_CLOCK_SPAN) from None
            if end > self.as_of + MAX_CLOCK_SPAN:
                raise ClockOutOfRange(self.as_of + MAX_CLOCK_SPAN)
            if end < start:
                raise ClockWentBack(start)
            changed, happened = {}, []
            for order, handle in enumerate(self._organisations):
                before = state.accounts[handle]
                after, events = self._advanced(handle, before, start, end)
                if after is not before:
                    changed[handle] = after
                happened += [(event.at, order, index, event) for index, event in enumerate(events)]
            happened.sort(key=lambda row: row[:3])
            recorded = state.numbered((row[3] for row in happened), self.seed)
            return Change((start, recorded), changed, recorded, now=end if end > start else None)

        return self._transact(move)

    def _advanced(
        self, handle: str, account: Account, start: datetime, to: datetime
    ) -> tuple[Account, list[BillingEvent]]:
        scenario = self._organisations[handle].scenario
        declines = scenario is not None and SCENARIOS[scenario].declines_charges
        after, events = clock.advance(
            account, start=start, to=to, plans=self._plans, seed=self.seed, declines=declines
        )
        return (account if after is account else self._with_usage(account, after)), events

    def scenario_of(self, handle: str) -> str | None:
        """The scenario the organisation is shown in: the request's, else its fixture's."""
        return self._requested or self.organisation(handle).scenario

    def _scenario(self, account: Account, name: str | None, at: datetime | None = None) -> Account:
        """`account` in scenario `name` (none: as it is) at `at`, by default `as_of`."""
        if not name:
            return account
        plan = self._plans[account.subscription.plan_id]
        return apply_scenario(account, name, at or self.as_of, plan=plan)

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
            self._fresh()
            account, now = self._state.accounts[handle], self._state.now
        return self._scenario(account, self._requested, now)

    def invoices(self, handle: str) -> Sequence[Invoice]:
        """The organisation's invoices, newest first; raises OrganisationNotFound."""
        return self.account(handle).invoices

    def invoice_by_reference(self, reference: str) -> tuple[Organisation, Invoice]:
        """The invoice with this processor id (`in_...`) and its organisation; raises NotFound."""
        with self._state.lock:
            self._fresh()
            found = self._state.invoices.get(reference)
        if found is None:
            raise InvoiceNotFound()
        return self._organisations[found[0]], found[1]

    def payment_captured(self, payment_id: str) -> bool:
        """Whether any account holds a payment with this gateway id (`pay_...`, unique
        gateway-wide in Razorpay); from an `update` change, in the state it replaces.
        """
        with self._state.lock:
            return payment_id in self._state.payments

    def update(
        self, handle: str, change: Callable[[Account], tuple[Account, T]]
    ) -> tuple[Account, T]:
        """Apply `change` (a `lifecycle` transition) to the organisation's account at once.

        `change` gets the current Account and returns the new one and a result; both
        are returned (the Account as stored). Changes happen one after the other (under
        the lock, and `_transact` across processes); if it raises, nothing is written.
        Usage is re-derived when the plan or period changed. Raises OrganisationNotFound.
        """
        self.organisation(handle)
        state = self._state

        def changed() -> Change[tuple[Account, T]]:
            before = state.accounts[handle]
            after, result = change(before)
            if after is before:
                return Change((after, result))
            after = self._with_usage(before, after)
            return Change((after, result), {handle: after})

        return self._transact(changed)

    def _with_usage(self, before: Account, after: Account) -> Account:
        """`after`, with its usage measured anew when its plan or period changed."""
        subscription = after.subscription
        if (subscription.plan_id, subscription.current_period_start) == (
            before.subscription.plan_id,
            before.subscription.current_period_start,
        ):
            return after
        usage = self._source.usage(
            after.organisation, self.plan(subscription.plan_id), subscription
        )
        return dataclasses.replace(after, usage=usage)
