"""What changes in a Store, shared by it and its scenario views: accounts, their indexes,
the billing clock and the events of its moves.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from billing_mock.domain.events import BillingEvent
from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.models import (
    Account,
    Invoice,
    Organisation,
    Plan,
    Subscription,
    UsageSummary,
)
from billing_mock.domain.persistence import Stamp

T = TypeVar("T")

EVENTS_KEPT = 1000
"""How many of its newest billing events a sandbox keeps for reading back."""


class AccountSource(Protocol):
    """Builds accounts (see accounts.AccountGenerator)."""

    def account(self, org: Organisation, plan: Plan) -> Account:
        """The organisation's whole account on `plan`, as generated for the seed."""
        ...

    def usage(self, org: Organisation, plan: Plan, subscription: Subscription) -> UsageSummary:
        """Usage of the subscription's current period on `plan`."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class Change(Generic[T]):
    """What one transaction changes: `accounts` written (after every account is back at
    its start when `restart`), `events` recorded (numbered), the clock set to `now` (None:
    unchanged); `reindex` when accounts lost invoices (a reset). `result` is the caller's.
    """

    result: T
    accounts: Mapping[str, Account] = dataclasses.field(default_factory=dict)
    events: tuple[BillingEvent, ...] = ()
    now: datetime | None = None
    restart: bool = False
    reindex: bool = False

    @property
    def empty(self) -> bool:
        """Whether it changes nothing (so nothing is committed)."""
        return not (self.accounts or self.events or self.now or self.restart)


@dataclasses.dataclass(slots=True)
class State:
    """The accounts by handle and the gateway's indexes of them, the clock and its
    events; every method is called under `lock` (reentrant).
    """

    accounts: dict[str, Account] = dataclasses.field(default_factory=dict)
    invoices: dict[str, tuple[str, Invoice]] = dataclasses.field(default_factory=dict)
    """Every invoice by processor id (`in_...`), with the handle holding it."""
    payments: dict[str, str] = dataclasses.field(default_factory=dict)
    """Every payment id in any account, to the handle holding it: the gateway's own index."""
    now: datetime | None = None
    """The sandbox's billing clock (None until the first reset sets it)."""
    events: deque[BillingEvent] = dataclasses.field(
        default_factory=lambda: deque(maxlen=EVENTS_KEPT)
    )
    events_made: int = 0
    """Events recorded since the clock was last put back, dropped ones included."""
    version: int = 0
    transacting: bool = False
    """Whether a change is being computed (under `lock`): no reload may happen then."""
    stamp: Stamp | None = None
    """The backend's Stamp of what this copy holds (None: no backend, this is the state)."""
    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock)

    def restart(self, accounts: dict[str, Account], now: datetime) -> None:
        """Every account anew and the clock at `now`, with no events."""
        self.accounts, self.now, self.events_made = accounts, now, 0
        self.events.clear()

    def write(self, handle: str, account: Account) -> None:
        """Store `account` as `handle`'s, and index it (the caller counts the version up)."""
        self.accounts[handle] = account
        for invoice in account.invoices:
            self.invoices[invoice.reference] = (handle, invoice)
        for payment in account.payments:
            self.payments[payment.id] = handle

    def reindex(self) -> None:
        """The invoice and payment indexes made anew from the accounts."""
        self.invoices = {
            invoice.reference: (owner, invoice)
            for owner, account in self.accounts.items()
            for invoice in account.invoices
        }
        self.payments = {
            payment.id: owner
            for owner, account in self.accounts.items()
            for payment in account.payments
        }

    def numbered(self, events: Iterable[BillingEvent], seed: int) -> tuple[BillingEvent, ...]:
        """`events`, in order, with the ids (`evt_...`, by seed and sequence) they get when
        recorded next.
        """
        return tuple(
            dataclasses.replace(event, id=processor_id("evt", 14, seed, self.events_made + index))
            for index, event in enumerate(events)
        )

    def apply(self, change: Change[Any], initial: dict[str, Account], as_of: datetime) -> None:
        """Make `change` here (the version is the caller's to count)."""
        if change.restart:
            self.restart(dict(initial), as_of)
        for handle, account in change.accounts.items():
            self.write(handle, account)
        if change.restart or change.reindex:
            self.reindex()
        self.events.extend(change.events)
        self.events_made += len(change.events)
        if change.now is not None:
            self.now = change.now
