"""The worlds a server holds: the `default` sandbox and named sandboxes, from one FixtureSet.

A sandbox is an isolated world: its own copy of every organisation, made from the
fixtures on first use, with its own state, so two tests (or two developers) never see
each other's writes. `X-Mock-Sandbox: <name>` picks one; `X-Mock-Seed: <n>` is shorthand
for the sandbox `seed-<n>`, generated for that seed. A sandbox of the server's seed is a
fork of the default world's generated accounts (a copy of a few references), so an
untouched one costs nearly nothing; another seed's is generated (about 21 ms).

Bounded: at most `max_sandboxes` besides `default`, the least recently used evicted first
when one more is made, and any left unused for `idle` seconds expires; `default` is never
evicted. An evicted or expired sandbox loses its state: its next request starts it again
from the fixtures. Users and credentials come from the fixtures alone, so they are the
same in every sandbox: auth can use the default one's.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable, Mapping
from importlib.resources.abc import Traversable

from cachetools import LRUCache, TTLCache

from billing_mock.data.accounts import AccountGenerator
from billing_mock.data.fixtures import FixtureSet, default_fixtures, load_fixtures
from billing_mock.domain.errors import Conflict, InvalidRequest
from billing_mock.domain.persistence import BackendError, StateBackend
from billing_mock.domain.store import Store

DEFAULT_SEED = 42
DEFAULT_SANDBOX = "default"

SANDBOX_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
"""What a sandbox's name may be: lower-case ASCII letters, digits and hyphens, 1 to 63."""

DEFAULT_MAX_SANDBOXES = 64
"""Sandboxes kept besides `default`. An untouched one of the server's seed is about 7 KB
(its generated accounts are shared), another seed's about 120 KB: 64 is at most about
8 MB, room for a parallel end-to-end suite that gives each test its own."""

DEFAULT_SANDBOX_IDLE = 3600.0
"""Seconds a sandbox may go unused before it expires: longer than any test run."""

SEED_SANDBOX = re.compile(r"seed-([0-9]{1,18})")
"""The name of the sandbox `X-Mock-Seed: <n>` stands for: it is always seed n's."""

CANNOT_DELETE_DEFAULT = "The default sandbox cannot be deleted; reset it instead"
CANNOT_REPLACE_DEFAULT = "The default sandbox cannot be replaced; reset it instead"
SEED_SANDBOX_SEED = "The sandbox {name} is seed {seed}'s: put it without a seed or with {seed}"


class DefaultSandboxKept(Conflict):
    """The `default` sandbox cannot be deleted or replaced (409)."""

    default_message = CANNOT_DELETE_DEFAULT


class SeedSandboxMismatch(InvalidRequest):
    """A `seed-<n>` sandbox was asked for with another seed (400)."""


class Stores:
    """The `default` sandbox (the server's seed) and named sandboxes over `fixtures`.

    `max_sandboxes` (>= 1) and `idle` (seconds, > 0) bound the named ones; `clock` is
    what idle time is measured with (monotonic seconds; a test passes its own). With a
    `backend` (`sqlite:`, `redis:`), every sandbox, `default` included, lives there,
    shared with every process using it and kept across restarts, and the backend keeps
    the bounds; this process holds copies it refreshes. Raises ValueError for bounds out
    of range, BackendError for a backend that cannot serve (or holds `default` for
    another seed). Thread-safe.
    """

    def __init__(
        self,
        fixtures: FixtureSet,
        seed: int = DEFAULT_SEED,
        max_sandboxes: int = DEFAULT_MAX_SANDBOXES,
        idle: float = DEFAULT_SANDBOX_IDLE,
        clock: Callable[[], float] = time.monotonic,
        backend: StateBackend | None = None,
    ) -> None:
        if max_sandboxes < 1 or idle <= 0:
            raise ValueError(f"need max_sandboxes >= 1 and idle > 0, not {max_sandboxes}, {idle}")
        self.fixtures = fixtures
        self.backend = backend
        self.default = build_store(fixtures, seed)
        self._sandboxes: TTLCache[str, Store] = TTLCache(max_sandboxes, idle, timer=clock)
        # Copies of sandboxes kept in the backend: the backend bounds and expires them.
        self._copies: LRUCache[str, Store] = LRUCache(max_sandboxes)
        self._listed: LRUCache[tuple[int, tuple[tuple[str, str], ...]], Store] = LRUCache(
            max_sandboxes
        )
        self._lock = threading.Lock()
        self._resets = 0
        if backend is not None:
            record, _ = backend.create(DEFAULT_SANDBOX, seed, {}, replace=False)
            if record.seed != seed:
                raise BackendError(
                    f"{backend.url} holds the default sandbox of seed {record.seed}, not "
                    f"{seed}: serve with --seed {record.seed}, or use another state"
                )
            self.default.attach(backend, record)

    @property
    def resets(self) -> int:
        """How many times the whole default sandbox was reset: what is drawn from the start
        (the fault and latency draws) starts again when this changes.
        """
        return self._resets

    def canonical(self, name: str) -> str:
        """The name a sandbox is kept under: `seed-<n>` without leading zeros, and
        `default` for the server's own seed (`seed-42` is `default` on a seed-42 server).
        """
        seed = _seed_of(name)
        if seed is None:
            return name
        return DEFAULT_SANDBOX if seed == self.default.seed else f"seed-{seed}"

    def sandbox(self, name: str) -> Store:
        """The sandbox `name` (`default` included), made from the fixtures on first use
        with the server's seed (`seed-<n>`: with seed n, as `for_seed(n)`); using it keeps
        it from expiring.
        """
        seed = _seed_of(name)
        return self._sandbox(self.canonical(name), self.default.seed if seed is None else seed)

    def for_seed(self, seed: int) -> Store:
        """The world of `seed`: `default` for the server's own seed, else the sandbox
        `seed-<seed>` (the name `X-Mock-Seed: <seed>` stands for), generated on first use.
        """
        return self.sandbox(f"seed-{seed}")

    def get(self, name: str) -> Store | None:
        """The sandbox `name` if it exists now (making none), else None."""
        name = self.canonical(name)
        if name == DEFAULT_SANDBOX:
            return self.default
        if self.backend is not None:
            return self._kept(name, None)
        with self._lock:
            found = self._sandboxes.get(name)
            if found is not None:
                self._sandboxes[name] = found  # used: its idle time starts again
            return found

    def put(
        self, name: str, seed: int | None = None, scenarios: Mapping[str, str] | None = None
    ) -> tuple[Store, bool]:
        """Make sandbox `name` anew, at the fixtures' start: generated for `seed` (default:
        the server's), each organisation in `scenarios` (handle -> scenario) in that
        scenario from the start; `seed-<n>` is always seed n's. Out: the sandbox and
        whether it is new (False: it replaced one, whose state is gone). Raises
        DefaultSandboxKept for `default`, SeedSandboxMismatch for `seed-<n>` with another
        seed, OrganisationNotFound and UnknownScenario, before anything is replaced.
        """
        name = self.canonical(name)
        if name == DEFAULT_SANDBOX:
            raise DefaultSandboxKept(CANNOT_REPLACE_DEFAULT)
        named = _seed_of(name)
        if named is not None and seed not in (None, named):
            raise SeedSandboxMismatch(SEED_SANDBOX_SEED.format(name=name, seed=named))
        chosen = seed if seed is not None else named
        made = self._make(self.default.seed if chosen is None else chosen, scenarios)
        if self.backend is not None:
            record, new = self.backend.create(name, made.seed, made.scenarios(), replace=True)
            made.attach(self.backend, record)
            with self._lock:
                self._copies[name] = made
            return made, new
        with self._lock:
            replaced = name in self._sandboxes
            self._sandboxes[name] = made
        return made, not replaced

    def delete(self, name: str) -> bool:
        """Drop sandbox `name` and its state; False if there was none. DefaultSandboxKept
        for `default`.
        """
        name = self.canonical(name)
        if name == DEFAULT_SANDBOX:
            raise DefaultSandboxKept()
        if self.backend is not None:
            with self._lock:
                self._copies.pop(name, None)
            return self.backend.delete(name)
        with self._lock:
            return self._sandboxes.pop(name, None) is not None

    def listing(self) -> list[tuple[str, Store]]:
        """Every sandbox now: `default` first, then the others by name."""
        if self.backend is not None:
            listed = self.backend.listing()
            return [(DEFAULT_SANDBOX, self.default)] + [
                (name, self._shown(seed, scenarios))
                for name, seed, scenarios in listed
                if name != DEFAULT_SANDBOX
            ]
        with self._lock:
            self._sandboxes.expire()
            # A copy: reading items through the cache itself would mark each one used.
            named = sorted(copy.copy(self._sandboxes).items())
        return [(DEFAULT_SANDBOX, self.default), *named]

    def reset(self, handle: str | None = None) -> None:
        """Return the default sandbox, or only its organisation `handle`, to the fixtures'
        start; a whole reset also counts up `resets`. Other sandboxes are left as they
        are (each resets on its own). Raises OrganisationNotFound for an unknown handle.
        """
        self.default.reset(handle)
        if handle is None:
            with self._lock:
                self._resets += 1

    def _sandbox(self, name: str, seed: int) -> Store:
        if name == DEFAULT_SANDBOX:
            return self.default
        if self.backend is not None:
            found = self._kept(name, seed)
            assert found is not None  # made when missing
            return found
        with self._lock:
            found = self._sandboxes.get(name)
            if found is None:
                found = self._make(seed, None)
            self._sandboxes[name] = found  # made, or used: its idle time starts again
            return found

    def _kept(self, name: str, seed: int | None) -> Store | None:
        """This process's copy of the backend's sandbox `name`, made anew when the backend
        made it anew since (another seed, other scenarios); when there is none, made with
        `seed` (None: none is made).
        """
        assert self.backend is not None
        with self._lock:
            stamp = self.backend.stamp(name)
            copy_ = self._copies.get(name)
            if copy_ is not None and stamp is not None and copy_.generation == stamp.generation:
                return copy_
            record = self.backend.load(name) if stamp is not None else None
            if record is None:
                if seed is None:
                    return None
                record, _ = self.backend.create(name, seed, {}, replace=False)
            made = self._make(record.seed, record.scenarios)
            made.attach(self.backend, record)
            self._copies[name] = made
            return made

    def _shown(self, seed: int, scenarios: Mapping[str, str]) -> Store:
        """A Store of `seed` and `scenarios` to list a backend's sandbox by (only its seed
        and scenarios are read): one per pair, kept, since another seed's costs a
        generation and the dashboard lists every few seconds.
        """
        key = (seed, tuple(sorted(scenarios.items())))
        with self._lock:
            found = self._listed.get(key)
        if found is None:
            found = self._make(seed, scenarios)
            with self._lock:
                self._listed[key] = found
        return found

    def _make(self, seed: int, scenarios: Mapping[str, str] | None) -> Store:
        if seed == self.default.seed:
            return self.default.fork(scenarios)
        built = build_store(self.fixtures, seed)
        return built.fork(scenarios) if scenarios else built


def _seed_of(name: str) -> int | None:
    """The seed a `seed-<n>` sandbox's name fixes, else None."""
    match = SEED_SANDBOX.fullmatch(name)
    return int(match.group(1)) if match else None


def load_stores(
    seed: int = DEFAULT_SEED,
    fixtures_dir: Traversable | None = None,
    max_sandboxes: int = DEFAULT_MAX_SANDBOXES,
    idle: float = DEFAULT_SANDBOX_IDLE,
    backend: StateBackend | None = None,
) -> Stores:
    """Stores of the fixtures in `fixtures_dir` (default: the packaged `fixtures/`), the
    default sandbox generated for `seed`, with the bounds of `Stores`, kept in `backend`
    when given. Raises FixtureError for a missing or malformed file, ValueError for
    bounds out of range, BackendError for a backend that cannot serve.
    """
    fixtures = load_fixtures(fixtures_dir or default_fixtures())
    return Stores(fixtures, seed, max_sandboxes, idle, backend=backend)


def build_store(fixtures: FixtureSet, seed: int) -> Store:
    """A Store of `fixtures` with histories generated for `seed`."""
    return Store(
        organisations=fixtures.organisations,
        plans=fixtures.plans,
        users=fixtures.users,
        coupons=fixtures.coupons,
        gateway=fixtures.gateway,
        source=AccountGenerator(seed, fixtures.as_of),
        seed=seed,
        as_of=fixtures.as_of,
    )
