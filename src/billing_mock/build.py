"""Builds a Store from a fixtures directory and a seed: the one way the CLI and tests get one."""

from __future__ import annotations

from pathlib import Path

from billing_mock.accounts import AccountGenerator
from billing_mock.domain.store import Store
from billing_mock.fixtures import DEFAULT_FIXTURES_DIR, load_fixtures

DEFAULT_SEED = 42


def build_store(seed: int = DEFAULT_SEED, fixtures_dir: Path = DEFAULT_FIXTURES_DIR) -> Store:
    """A Store of the fixtures in `fixtures_dir`, with histories generated for `seed`.

    Raises FixtureError when a fixture file is missing or malformed.
    """
    fixtures = load_fixtures(fixtures_dir)
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
