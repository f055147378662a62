"""The state backends, each the same way: `memory:`, `sqlite:` (a real file) and `redis:`
(a real redis-server). Two Stores over one backend stand for two workers or replicas;
a third made later stands for a restart.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from billing_mock.data.backends import open_backend
from billing_mock.data.stores import Stores, load_stores
from billing_mock.domain import billing, codec, errors, lifecycle
from billing_mock.domain.models import BillingCycle, Order
from billing_mock.domain.persistence import BackendError
from billing_mock.domain.store import Store
from tests.state_backends import free_port, redis_server, state_url

AS_OF = datetime(2026, 11, 15, 9, 30, tzinfo=UTC)
LUMEN = "lumen.studio"  # its trial lapsed: checkout is open
SHARED = ["sqlite", "redis"]
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def opener(tmp_path: Path, redis_url: str) -> Callable[..., Callable[..., Stores]]:
    """A function of a backend kind, giving one that opens Stores over one fresh backend
    of that kind (given bounds), each call a new process's view of it.
    """

    def backend_of(kind: str) -> Callable[..., Stores]:
        url = state_url(kind, tmp_path, redis_url, next(_databases) % 16)
        if kind == "redis":
            redis.Redis.from_url(url).flushdb()

        def open_(max_sandboxes: int = 8, idle: float = 3600, seed: int = 42) -> Stores:
            return load_stores(
                seed, None, max_sandboxes, idle, open_backend(url, max_sandboxes, idle)
            )

        return open_

    return backend_of


def _checkout(store: Store, handle: str = LUMEN) -> Order:
    plan = store.plan("growth")
    return store.update(
        handle,
        lambda account: lifecycle.checkout(
            account, plan, BillingCycle.MONTHLY, None, now=store.now, seed=store.seed
        ),
    )[1]


@pytest.mark.parametrize("kind", SHARED)
def test_a_write_in_one_process_is_read_in_the_other(opener, kind: str) -> None:
    open_ = opener(kind)
    first, second = open_(), open_()
    order = _checkout(first.default)
    assert second.default.account(LUMEN).orders[-1] == order
    assert second.default.version == first.default.version
    second.default.advance(AS_OF + timedelta(days=2))
    assert first.default.now == AS_OF + timedelta(days=2)


@pytest.mark.parametrize("kind", SHARED)
def test_a_restart_keeps_every_sandbox_its_state_and_its_clock(opener, kind: str) -> None:
    open_ = opener(kind)
    before = open_()
    before.default.advance(AS_OF + timedelta(days=40))
    kept, made = before.put("kept", 7, {"recalll.co": "expired-card"})
    assert made
    _, events = kept.advance(AS_OF + timedelta(days=30))
    order = _checkout(kept)
    after = open_()
    assert after.default.now == AS_OF + timedelta(days=40)
    assert after.default.account("recalll.co") == before.default.account("recalll.co")
    again = after.get("kept")
    assert again is not None
    assert (again.seed, again.scenarios(), again.now) == (
        7,
        {"recalll.co": "expired-card"},
        AS_OF + timedelta(days=30),
    )
    assert again.account(LUMEN).orders[-1] == order
    assert again.events() == events


@pytest.mark.parametrize("kind", ["memory", *SHARED])
def test_concurrent_writes_from_two_processes_lose_none(opener, kind: str) -> None:
    open_ = opener(kind)
    first = open_()
    second = first if kind == "memory" else open_()
    stores = [first, second] * 10
    threads = [threading.Thread(target=_checkout, args=(each.default,)) for each in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert first.default.account(LUMEN).orders_created == 20
    assert second.default.account(LUMEN).orders_created == 20


@pytest.mark.parametrize("kind", SHARED)
def test_confirms_of_one_order_from_two_processes_record_one_payment(opener, kind: str) -> None:
    open_ = opener(kind)
    first, second = open_(), open_()
    order = _checkout(first.default)
    results: list[object] = []

    def confirm(stores: Stores, payment: str) -> None:
        try:
            results.append(billing.confirm_checkout(stores.default, LUMEN, order.id, payment)[1])
        except errors.Conflict as error:
            results.append(type(error).__name__)

    threads = [
        threading.Thread(target=confirm, args=(each, f"pay_Race{index % 2:010d}"))
        for index, each in enumerate([first, second] * 8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    confirmed = [item for item in results if not isinstance(item, str)]
    refused = [item for item in results if isinstance(item, str)]
    assert confirmed
    assert len({item.payment.id for item in confirmed}) == 1  # type: ignore[attr-defined]
    assert set(refused) <= {"OrderAlreadyPaid", "PaymentAlreadyCaptured"}
    payments = [p for p in second.default.account(LUMEN).payments if p.order_id == order.id]
    assert len(payments) == 1


@pytest.mark.parametrize("kind", SHARED)
def test_sandboxes_are_shared_made_listed_and_deleted(opener, kind: str) -> None:
    open_ = opener(kind)
    first, second = open_(), open_()
    first.put("shared", 7, {"recalll.co": "failed-payment"})
    seen = second.get("shared")
    assert seen is not None
    assert (seen.seed, seen.scenarios()) == (7, {"recalll.co": "failed-payment"})
    assert [name for name, _ in second.listing()] == ["default", "shared"]
    first.put("shared", None, None)  # replaced: the other process sees the new one
    replaced = second.get("shared")
    assert replaced is not None
    assert (replaced.seed, replaced.scenarios()) == (42, {})
    assert first.delete("shared")
    assert second.get("shared") is None
    assert not second.delete("shared")


@pytest.mark.parametrize("kind", SHARED)
def test_a_reset_in_one_process_resets_the_other(opener, kind: str) -> None:
    open_ = opener(kind)
    first, second = open_(), open_()
    first.default.advance(AS_OF + timedelta(days=60))
    _checkout(first.default)
    second.reset()
    assert first.default.now == AS_OF
    assert first.default.account(LUMEN).orders == ()
    assert first.default.events() == ()


@pytest.mark.parametrize("kind", SHARED)
def test_an_idle_sandbox_expires(opener, kind: str) -> None:
    open_ = opener(kind)
    stores = open_(idle=1)
    stores.put("brief")
    assert [name for name, _ in stores.listing()] == ["default", "brief"]
    time.sleep(2.2)
    assert [name for name, _ in open_(idle=1).listing()] == ["default"]
    assert stores.default.now == AS_OF  # default never expires


@pytest.mark.parametrize("kind", SHARED)
def test_the_least_recently_used_sandbox_goes_past_the_bound(opener, kind: str) -> None:
    stores = opener(kind)(max_sandboxes=2)
    for name in ("one", "two"):
        stores.put(name)
        time.sleep(0.01)
    stores.put("three")
    assert [name for name, _ in stores.listing()] == ["default", "three", "two"]


def test_bad_state_urls_are_clear_errors(tmp_path: Path, redis_url: str) -> None:
    assert open_backend("memory:", 8, 3600) is None
    with pytest.raises(BackendError, match="unknown state 'postgres://x'"):
        open_backend("postgres://x", 8, 3600)
    with pytest.raises(BackendError, match="cannot use the SQLite state file"):
        open_backend(f"sqlite:///{tmp_path}/missing/folder/state.db", 8, 3600)
    with pytest.raises(BackendError, match="cannot use the Redis state"):
        open_backend(f"redis://127.0.0.1:{free_port()}/0", 8, 3600)


def test_state_of_another_format_or_seed_is_refused_not_misread(
    tmp_path: Path, redis_url: str
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('format', 'billing-mock-state/0')")
    with pytest.raises(BackendError, match="format 'billing-mock-state/0'"):
        open_backend(f"sqlite:///{path}", 8, 3600)
    url = redis_url.rsplit("/", 1)[0] + "/15"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.set("billing-mock:format", "billing-mock-state/0")
    with pytest.raises(BackendError, match="format 'billing-mock-state/0'"):
        open_backend(url, 8, 3600)
    file = f"sqlite:///{tmp_path / 'seeded.db'}"
    load_stores(42, None, 8, 3600, open_backend(file, 8, 3600))
    with pytest.raises(BackendError, match="serve with --seed 42"):
        load_stores(7, None, 8, 3600, open_backend(file, 8, 3600))


@pytest.mark.parametrize("kind", SHARED)
def test_a_store_held_across_a_replace_elsewhere_writes_nothing_into_the_new_one(
    opener, kind: str
) -> None:
    open_ = opener(kind)
    first, second = open_(), open_()
    held = first.sandbox("swapped")  # a request picked this Store (seed 42) ...
    second.put("swapped", 7)  # ... when another worker replaced the sandbox (seed 7)
    with pytest.raises(errors.Conflict, match="replaced or deleted"):
        _checkout(held)
    fresh = second.get("swapped")
    assert fresh is not None
    assert fresh.seed == 7
    assert fresh.account(LUMEN).orders == ()  # nothing of seed 42's written into it
    assert first.sandbox("swapped").seed == 7  # the next request gets the new one


@pytest.mark.parametrize("kind", SHARED)
def test_a_store_held_across_a_delete_elsewhere_does_not_bring_the_sandbox_back(
    opener, kind: str
) -> None:
    open_ = opener(kind)
    first, second = open_(), open_()
    held = first.sandbox("gone")
    assert second.delete("gone")
    with pytest.raises(errors.Conflict, match="replaced or deleted"):
        held.account(LUMEN)
    assert [name for name, _ in second.listing()] == ["default"]


def test_an_account_written_before_a_field_with_a_default_was_added_still_reads() -> None:
    stores = load_stores(42)
    account = stores.default.account(LUMEN)
    document = json.loads(codec.dumps_account(account))
    del document["account"]["subscription"]["anchor"]  # as a state file of before
    assert codec.loads_account(json.dumps(document)) == account
    del document["account"]["subscription"]["plan_id"]  # a field without a default
    with pytest.raises(codec.CodecError):
        codec.loads_account(json.dumps(document))
