"""Builds a Store from a fixtures directory and a seed: the one way the CLI and tests get one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from billing_mock.accounts import AccountGenerator
from billing_mock.domain.store import Store
from billing_mock.fixtures import DEFAULT_FIXTURES_DIR, FixtureSet, load_fixtures

DEFAULT_SEED = 42


def stores_by_seed(
    store: Store, fixtures_dir: Path = DEFAULT_FIXTURES_DIR
) -> Callable[[int], Store]:
    """Stores by seed, for `X-Mock-Seed`: `store` for its own seed, any other built from
    `fixtures_dir` on first use and kept, so each seed has one Store and one state.
    """
    stores = {store.seed: store}
    lock = threading.Lock()
    fixtures: FixtureSet | None = None  # read on the first other seed, then kept

    def for_seed(seed: int) -> Store:
        nonlocal fixtures
        with lock:
            if seed not in stores:
                fixtures = fixtures or load_fixtures(fixtures_dir)
                stores[seed] = _store(fixtures, seed)
            return stores[seed]

    return for_seed


def build_store(seed: int = DEFAULT_SEED, fixtures_dir: Path = DEFAULT_FIXTURES_DIR) -> Store:
    """A Store of the fixtures in `fixtures_dir`, with histories generated for `seed`.

    Raises FixtureError when a fixture file is missing or malformed.
    """
    return _store(load_fixtures(fixtures_dir), seed)


def _store(fixtures: FixtureSet, seed: int) -> Store:
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
