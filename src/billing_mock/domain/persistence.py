"""The storage protocol for sandboxes' state kept outside one process (SQLite, Redis).

What is kept, per sandbox: its seed and scenarios (what it was made from), its billing
clock and event count, the accounts that changed from their generated start (JSON of
`domain.codec`), the newest events, and a Stamp. What is not: everything generation
gives again (fixtures, seed, scenarios make the same accounts in every process).

A writer reads the record, changes its copy, and commits only if the Stamp is still the
one it read (compare-and-swap); otherwise it reads again and retries. So the
lifecycle's validate-then-write holds across processes: two confirms of one order, on
two workers, record one payment. A reader compares the Stamp before each request and
reloads when it changed: a write answered by one worker is seen by the next read on any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Stamp:
    """Which state a copy holds: `generation` changes when the sandbox is made anew (put,
    or made again after a delete or expiry), `version` with every write; versions come
    from one counter per backend, so no two states share a Stamp.
    """

    generation: str
    version: int


@dataclass(frozen=True, slots=True)
class SandboxRecord:
    """A sandbox as a backend keeps it. `now` is the clock (ISO 8601), None at the
    fixtures' `as_of`; `accounts` maps a handle to its Account's JSON, for those changed
    from their generated start.
    """

    name: str
    seed: int
    scenarios: Mapping[str, str]
    stamp: Stamp
    now: str | None = None
    events_made: int = 0
    accounts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Write:
    """One commit: `accounts` (handle -> JSON) stored, after every account and event is
    dropped when `restart` (a whole reset); the clock set to `now` and `events_made`;
    `events` (JSON, oldest first) appended, the oldest beyond the backend's bound dropped.
    """

    accounts: Mapping[str, str]
    now: str | None
    events_made: int
    events: Sequence[str] = ()
    restart: bool = False


class StateBackend(Protocol):
    """Where sandboxes' state lives: `memory:` needs none; `sqlite:` and `redis:` do.

    Bounded like the in-process sandboxes: at most `max_sandboxes` besides `default`
    (making one more drops the least recently used), and one unused for `idle` seconds
    expires; `default` never does. Methods raise `BackendError` when the backend cannot
    be reached or holds state of another format, never misreading it.
    """

    url: str

    def stamp(self, name: str) -> Stamp | None:
        """The sandbox's Stamp now, or None if there is none (never made, or dropped)."""
        ...

    def load(self, name: str) -> SandboxRecord | None:
        """The sandbox's record, or None; counts as using it."""
        ...

    def create(
        self, name: str, seed: int, scenarios: Mapping[str, str], *, replace: bool
    ) -> tuple[SandboxRecord, bool]:
        """The sandbox `name`: the one there is unless `replace`, else made anew at its
        start (no changed account, the clock at `as_of`, no event). Out: the record and
        whether it is new (False: it was there, kept or, with `replace`, replaced).
        """
        ...

    def commit(self, name: str, expected: Stamp, write: Write) -> Stamp | None:
        """Apply `write` if the sandbox's Stamp is still `expected`: the new Stamp, or
        None (another writer came first, or the sandbox is gone) with nothing written.
        """
        ...

    def events(self, name: str) -> list[str]:
        """The sandbox's kept events (JSON), oldest first."""
        ...

    def delete(self, name: str) -> bool:
        """Drop the sandbox and its state; False if there was none."""
        ...

    def listing(self) -> list[tuple[str, int, dict[str, str]]]:
        """(name, seed, scenarios) of every sandbox now, by name; using none."""
        ...

    def close(self) -> None:
        """Let go of connections."""
        ...


class BackendError(Exception):
    """The state backend is unreachable, unwritable, or holds state this version does not
    read; the message says which, for a person.
    """
