"""The worlds a server holds: one Store per seed, all built from one set of fixtures.

`Stores` is the one way the CLI, the app and the tests get a Store: the default seed's
is built at once; another seed's (`X-Mock-Seed`) on first use, from the same fixtures,
and kept, so each seed has one Store and one state.
"""

from __future__ import annotations

import threading
from importlib.resources.abc import Traversable

from billing_mock.data.accounts import AccountGenerator
from billing_mock.data.fixtures import FixtureSet, default_fixtures, load_fixtures
from billing_mock.domain.store import Store

DEFAULT_SEED = 42


class Stores:
    """One Store per seed over `fixtures`; `default` is the server's own seed's."""

    def __init__(self, fixtures: FixtureSet, seed: int = DEFAULT_SEED) -> None:
        self.fixtures = fixtures
        self.default = build_store(fixtures, seed)
        self._by_seed = {seed: self.default}
        self._lock = threading.Lock()

    def for_seed(self, seed: int) -> Store:
        """The Store of `seed`, built from the fixtures on first use and kept."""
        with self._lock:
            found = self._by_seed.get(seed)
            if found is None:
                found = self._by_seed[seed] = build_store(self.fixtures, seed)
            return found


def load_stores(seed: int = DEFAULT_SEED, fixtures_dir: Traversable | None = None) -> Stores:
    """Stores of the fixtures in `fixtures_dir` (default: the packaged `fixtures/`), the
    default one generated for `seed`. Raises FixtureError for a missing or malformed file.
    """
    return Stores(load_fixtures(fixtures_dir or default_fixtures()), seed)


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
