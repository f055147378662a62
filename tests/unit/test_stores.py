"""Stores on their own: the default sandbox and named ones, isolated, bounded in number and
idle time, a seed as shorthand for a sandbox, the default never evicted.
"""

from __future__ import annotations

import pytest

from billing_mock.data.fixtures import FixtureSet, default_fixtures, load_fixtures
from billing_mock.data.stores import DefaultSandboxKept, SeedSandboxMismatch, Stores
from billing_mock.domain import lifecycle
from billing_mock.domain.errors import OrganisationNotFound
from billing_mock.domain.scenarios import UnknownScenario
from billing_mock.domain.store import Store

FIXTURES: FixtureSet = load_fixtures(default_fixtures())


class Clock:
    """Monotonic seconds that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _cancel(store: Store) -> None:
    """A write: recalll.co cancels at period end."""
    store.update(
        "recalll.co",
        lambda account: (lifecycle.cancel(account, at_period_end=True, now=store.as_of), None),
    )


def _cancelling(store: Store) -> bool:
    return store.account("recalll.co").subscription.cancel_at_period_end


def _names(stores: Stores) -> list[str]:
    return [name for name, _ in stores.listing()]


def test_a_sandbox_is_made_on_first_use_and_kept() -> None:
    stores = Stores(FIXTURES, seed=42)
    first = stores.sandbox("alice")
    assert stores.sandbox("alice") is first
    assert stores.sandbox("default") is stores.default
    assert first is not stores.default
    assert first.seed == 42
    assert _names(stores) == ["default", "alice"]


def test_sandboxes_never_see_each_others_writes() -> None:
    stores = Stores(FIXTURES, seed=42)
    _cancel(stores.sandbox("a"))
    assert _cancelling(stores.sandbox("a"))
    assert not _cancelling(stores.sandbox("b"))
    assert not _cancelling(stores.default)
    _cancel(stores.default)
    assert not _cancelling(stores.sandbox("b"))


def test_a_sandbox_of_the_servers_seed_starts_from_the_fixtures_not_the_default_state() -> None:
    stores = Stores(FIXTURES, seed=42)
    _cancel(stores.default)
    fresh = stores.sandbox("fresh")
    assert not _cancelling(fresh)
    assert fresh.account("northwind.io") == stores.default.account("northwind.io")


def test_a_seed_is_the_sandbox_named_after_it() -> None:
    stores = Stores(FIXTURES, seed=42)
    assert stores.for_seed(42) is stores.default
    seven = stores.for_seed(7)
    assert seven.seed == 7
    assert stores.get("seed-7") is seven
    assert seven.account("recalll.co") != stores.default.account("recalll.co")


def test_put_makes_or_replaces_with_a_seed_and_scenarios() -> None:
    stores = Stores(FIXTURES, seed=42)
    made, new = stores.put("qa", seed=7, scenarios={"recalll.co": "failed-payment"})
    assert new
    assert made.seed == 7
    assert made.scenarios() == {"recalll.co": "failed-payment"}
    assert made.account("recalll.co").subscription.status.value == "past_due"
    _cancel(stores.sandbox("qa"))
    again, new = stores.put("qa")
    assert not new
    assert again.seed == 42
    assert again.scenarios() == {}
    assert not _cancelling(stores.sandbox("qa"))


def test_a_bad_put_replaces_nothing() -> None:
    stores = Stores(FIXTURES, seed=42)
    kept, _ = stores.put("qa")
    with pytest.raises(OrganisationNotFound):
        stores.put("qa", scenarios={"nobody.example": "failed-payment"})
    with pytest.raises(UnknownScenario):
        stores.put("qa", scenarios={"recalll.co": "no-such-scenario"})
    assert stores.get("qa") is kept


def test_the_default_sandbox_cannot_be_replaced_or_deleted() -> None:
    stores = Stores(FIXTURES, seed=42)
    with pytest.raises(DefaultSandboxKept):
        stores.put("default")
    with pytest.raises(DefaultSandboxKept):
        stores.delete("default")


def test_delete_drops_a_sandbox_and_its_state() -> None:
    stores = Stores(FIXTURES, seed=42)
    _cancel(stores.sandbox("gone"))
    assert stores.delete("gone")
    assert not stores.delete("gone")
    assert stores.get("gone") is None
    assert not _cancelling(stores.sandbox("gone"))


def test_sandboxes_are_bounded_least_recently_used_first_never_default() -> None:
    stores = Stores(FIXTURES, seed=42, max_sandboxes=2)
    one = stores.sandbox("one")
    stores.sandbox("two")
    assert stores.sandbox("one") is one  # one is now the most recently used
    stores.sandbox("three")  # evicts two
    assert _names(stores) == ["default", "one", "three"]
    assert stores.get("two") is None


def test_an_idle_sandbox_expires_and_use_keeps_one_alive() -> None:
    clock = Clock()
    stores = Stores(FIXTURES, seed=42, idle=60, clock=clock)
    _cancel(stores.sandbox("idle"))
    kept = stores.sandbox("kept")
    clock.now = 50
    assert stores.get("kept") is kept  # used: its 60 s start again
    clock.now = 100
    assert _names(stores) == ["default", "kept"]
    assert not _cancelling(stores.sandbox("idle"))  # made anew, its state lost


def test_reset_is_the_default_sandboxes_alone() -> None:
    stores = Stores(FIXTURES, seed=42)
    _cancel(stores.default)
    _cancel(stores.sandbox("other"))
    resets = stores.resets
    stores.reset("recalll.co")
    assert stores.resets == resets  # one organisation: not a fresh server
    stores.reset()
    assert stores.resets == resets + 1
    assert not _cancelling(stores.default)
    assert _cancelling(stores.sandbox("other"))


def test_the_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="max_sandboxes"):
        Stores(FIXTURES, seed=42, max_sandboxes=0)
    with pytest.raises(ValueError, match="idle"):
        Stores(FIXTURES, seed=42, idle=0)


def test_a_seed_sandbox_has_its_seed_however_it_is_made() -> None:
    stores = Stores(FIXTURES, seed=42)
    assert stores.sandbox("seed-9").seed == 9
    assert stores.for_seed(9) is stores.sandbox("seed-9")
    made, _ = stores.put("seed-5")
    assert made.seed == 5
    with pytest.raises(SeedSandboxMismatch):
        stores.put("seed-5", seed=6)
    assert stores.get("seed-5") is made


def test_a_seed_has_one_name_whichever_way_it_is_written() -> None:
    stores = Stores(FIXTURES, seed=42)
    assert stores.sandbox("seed-07") is stores.sandbox("seed-7") is stores.for_seed(7)
    assert stores.sandbox("seed-42") is stores.default
    assert stores.get("seed-0042") is stores.default
    with pytest.raises(DefaultSandboxKept):
        stores.delete("seed-42")
    assert _names(stores) == ["default", "seed-7"]
