"""The worlds a server holds: one Store per seed, all built from one set of fixtures.

`Stores` is the one way the CLI, the app and the tests get a Store: the default seed's
is built at once and kept for the server's life; another seed's (`X-Mock-Seed`) on first
use, from the same fixtures, and kept while it is among the `max_seeds` most recently
used. An evicted seed's world loses its state: its next request gets a new one, as the
fixtures and that seed define it. Users and credentials come from the fixtures alone,
so they are the same in every seed's world: auth can use the default one's.
"""

from __future__ import annotations

import threading
from importlib.resources.abc import Traversable

from cachetools import LRUCache

from billing_mock.data.accounts import AccountGenerator
from billing_mock.data.fixtures import FixtureSet, default_fixtures, load_fixtures
from billing_mock.domain.store import Store

DEFAULT_SEED = 42

DEFAULT_MAX_SEEDS = 16
"""Other seeds' worlds kept besides the default one. A world is about 110 KB and 21 ms
of CPU to build, so 16 is about 2 MB: room for a team trying a few seeds at once."""


class Stores:
    """One Store per seed over `fixtures`; `default` is the server's own seed's.

    At most `max_seeds` (>= 1, default DEFAULT_MAX_SEEDS) other seeds' worlds are kept,
    the least recently used evicted first (and its state with it); the default world is
    never evicted. ValueError for a `max_seeds` below 1. Thread-safe.
    """

    def __init__(
        self, fixtures: FixtureSet, seed: int = DEFAULT_SEED, max_seeds: int = DEFAULT_MAX_SEEDS
    ) -> None:
        if max_seeds < 1:
            raise ValueError(f"max_seeds must be at least 1, not {max_seeds}")
        self.fixtures = fixtures
        self.max_seeds = max_seeds
        self.default = build_store(fixtures, seed)
        self._others: LRUCache[int, Store] = LRUCache(maxsize=max_seeds)
        self._lock = threading.Lock()
        self._resets = 0

    @property
    def resets(self) -> int:
        """How many times `reset()` returned the whole server to its start: what is drawn
        from the start (the fault and latency draws) starts again when this changes.
        """
        return self._resets

    def for_seed(self, seed: int) -> Store:
        """The Store of `seed`: the default one, or another seed's, built from the
        fixtures on first use (about 21 ms) and kept while among the `max_seeds` most
        recently used. A seed's world evicted meanwhile is built anew, its state lost.
        """
        if seed == self.default.seed:
            return self.default
        with self._lock:
            found = self._others.get(seed)
            if found is None:
                found = self._others[seed] = build_store(self.fixtures, seed)
            return found

    def seeds(self) -> tuple[int, ...]:
        """The seeds whose worlds are kept now: the default one first, then the others in
        ascending order.
        """
        with self._lock:
            return (self.default.seed, *sorted(self._others))

    def reset(self, handle: str | None = None) -> None:
        """Return the server to its start: every organisation of the default world back to
        the fixtures and the seed, every other seed's world dropped (built anew on next
        use), `resets` counted up. With `handle`, only that organisation of the default
        world, nothing else. Raises OrganisationNotFound for an unknown handle.
        """
        self.default.reset(handle)
        if handle is not None:
            return
        with self._lock:
            self._others.clear()
            self._resets += 1


def load_stores(
    seed: int = DEFAULT_SEED,
    fixtures_dir: Traversable | None = None,
    max_seeds: int = DEFAULT_MAX_SEEDS,
) -> Stores:
    """Stores of the fixtures in `fixtures_dir` (default: the packaged `fixtures/`), the
    default one generated for `seed`, keeping at most `max_seeds` other seeds' worlds.
    Raises FixtureError for a missing or malformed file, ValueError for `max_seeds` < 1.
    """
    return Stores(load_fixtures(fixtures_dir or default_fixtures()), seed, max_seeds)


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
