"""Stores on their own: one world per seed, a bounded number of them, the default kept."""

from __future__ import annotations

import pytest

from billing_mock.data.fixtures import FixtureSet, default_fixtures, load_fixtures
from billing_mock.data.stores import DEFAULT_MAX_SEEDS, Stores, load_stores
from billing_mock.domain import lifecycle

FIXTURES: FixtureSet = load_fixtures(default_fixtures())


def _cancel(stores: Stores, seed: int) -> None:
    """A write in `seed`'s world: recalll.co cancels at period end."""
    store = stores.for_seed(seed)
    store.update(
        "recalll.co",
        lambda account: (lifecycle.cancel(account, at_period_end=True, now=store.as_of), None),
    )


def _cancelling(stores: Stores, seed: int) -> bool:
    return stores.for_seed(seed).account("recalll.co").subscription.cancel_at_period_end


def test_a_seed_has_one_world_kept_between_requests() -> None:
    stores = Stores(FIXTURES, seed=42)
    assert stores.for_seed(7) is stores.for_seed(7)
    assert stores.for_seed(42) is stores.default
    assert stores.seeds() == (42, 7)


def test_other_seeds_are_bounded_least_recently_used_first() -> None:
    stores = Stores(FIXTURES, seed=42, max_seeds=2)
    one, _ = stores.for_seed(1), stores.for_seed(2)
    assert stores.for_seed(1) is one  # 1 is now the most recently used
    stores.for_seed(3)  # evicts 2
    assert stores.seeds() == (42, 1, 3)
    assert stores.for_seed(1) is one


def test_the_default_world_is_never_evicted() -> None:
    stores = Stores(FIXTURES, seed=42, max_seeds=1)
    default = stores.default
    for seed in range(5):
        stores.for_seed(seed)
    assert stores.for_seed(42) is default
    assert stores.seeds() == (42, 4)


def test_an_evicted_seeds_world_loses_its_state() -> None:
    stores = Stores(FIXTURES, seed=42, max_seeds=1)
    _cancel(stores, 7)
    assert _cancelling(stores, 7)
    stores.for_seed(8)  # evicts 7
    assert not _cancelling(stores, 7)


def test_reset_drops_every_other_world_and_resets_the_default() -> None:
    stores = Stores(FIXTURES, seed=42)
    _cancel(stores, 42)
    _cancel(stores, 7)
    resets = stores.resets
    stores.reset()
    assert stores.seeds() == (42,)
    assert stores.resets == resets + 1
    assert not _cancelling(stores, 42)
    assert not _cancelling(stores, 7)


def test_reset_of_one_organisation_is_the_default_worlds_alone() -> None:
    stores = Stores(FIXTURES, seed=42)
    _cancel(stores, 42)
    _cancel(stores, 7)
    resets = stores.resets
    stores.reset("recalll.co")
    assert not _cancelling(stores, 42)
    assert _cancelling(stores, 7)
    assert stores.resets == resets  # not a fresh server: the draws go on


def test_the_bound_is_a_parameter_with_a_named_default() -> None:
    assert load_stores(42).max_seeds == DEFAULT_MAX_SEEDS
    assert load_stores(42, max_seeds=3).max_seeds == 3
    with pytest.raises(ValueError, match="max_seeds"):
        Stores(FIXTURES, seed=42, max_seeds=0)
