"""Keeps one Store's State in step with a StateBackend: reloads it when another process
wrote, and commits a change only over the state it was computed from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from billing_mock.domain import codec
from billing_mock.domain.errors import Conflict
from billing_mock.domain.events import BillingEvent
from billing_mock.domain.models import Account
from billing_mock.domain.persistence import BackendError, SandboxRecord, StateBackend, Write
from billing_mock.domain.state import Change, State

T = TypeVar("T")

STATE_BUSY = "The sandbox's state kept changing under this request; try it again"


SANDBOX_REPLACED = (
    "The sandbox was replaced or deleted while this request ran; send the request again"
)


class SandboxReplaced(Conflict):
    """The sandbox a request's copy came from was made anew or dropped meanwhile (by
    another worker or replica); nothing was written. Retryable.
    """

    default_message = SANDBOX_REPLACED


class StateBusy(Conflict):
    """A change lost the race to commit too many times running (other writers)."""

    default_message = STATE_BUSY


class Keeper:
    """The link of one sandbox's State (`name`) to `backend`."""

    def __init__(self, backend: StateBackend, name: str) -> None:
        self.backend, self.name = backend, name

    def load(
        self,
        state: State,
        record: SandboxRecord,
        initial: Mapping[str, Account],
        as_of: datetime,
    ) -> None:
        """Make `state` what `record` holds: `initial` with its changed accounts over it,
        the clock at `as_of` until moved.
        """
        accounts = dict(initial)
        try:
            for handle, text in record.accounts.items():
                if handle in accounts:  # an organisation the fixtures no longer have is left
                    accounts[handle] = codec.loads_account(text)
        except codec.CodecError as error:
            raise BackendError(f"{self.backend.url}: sandbox {self.name}: {error}") from None
        state.accounts = accounts
        state.now = datetime.fromisoformat(record.now) if record.now else as_of
        state.events_made, state.stamp = record.events_made, record.stamp
        state.version = record.stamp.version
        state.reindex()

    def refresh(self, state: State, initial: Mapping[str, Account], as_of: datetime) -> None:
        """Reload `state` if another writer changed the sandbox since it was loaded.

        Raises SandboxReplaced when the sandbox was made anew (another seed, other
        scenarios: this copy's generated start is not its start) or dropped since (deleted,
        expired): only `Stores` makes sandboxes, for the next request.
        """
        stamp = self.backend.stamp(self.name)
        if stamp is not None and stamp == state.stamp:
            return
        record = self.backend.load(self.name) if stamp is not None else None
        held = state.stamp.generation if state.stamp else None
        if record is None or record.stamp.generation != held:
            raise SandboxReplaced()
        self.load(state, record, initial, as_of)

    def commit(self, state: State, change: Change[T]) -> bool:
        """Write `change` if the sandbox is still as `state` was loaded: True (and `state`
        has its new Stamp), or False with nothing written.
        """
        assert state.stamp is not None, "a kept State is loaded before it commits"
        assert state.now is not None
        write = Write(
            accounts={h: codec.dumps_account(a) for h, a in change.accounts.items()},
            now=(change.now or state.now).isoformat(),
            events_made=(0 if change.restart else state.events_made) + len(change.events),
            events=[codec.dumps_event(event) for event in change.events],
            restart=change.restart,
        )
        stamp = self.backend.commit(self.name, state.stamp, write)
        if stamp is None:
            return False
        state.stamp, state.version = stamp, stamp.version
        return True

    def events(self) -> tuple[BillingEvent, ...]:
        """The sandbox's kept events, oldest first."""
        try:
            return tuple(codec.loads_event(text) for text in self.backend.events(self.name))
        except codec.CodecError as error:
            raise BackendError(f"{self.backend.url}: sandbox {self.name}: {error}") from None
