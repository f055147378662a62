"""ResponseCache on its own: what it keeps, for how long, and what it never keeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from billing_mock.apis.registry import APIS
from billing_mock.server.request_state import StoreMiddleware
from billing_mock.server.response_cache import ResponseCache
from billing_mock.settings import Range, Settings

UNPOD = "/api/v2/platform/organisation/billing/"


class FakeStore:
    """Only what the cache reads of a Store."""

    version = 0


class FakeStores:
    """Only what StoreMiddleware reads of Stores: the default Store."""

    def __init__(self, store: FakeStore) -> None:
        self.default = store


class Inner:
    """An ASGI app that counts calls and answers `status` with a body naming the call."""

    def __init__(self, status: int = 200, on_call: Callable[[], None] | None = None) -> None:
        self.calls = 0
        self.status = status
        self.on_call = on_call

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        if self.on_call:
            self.on_call()
        body = f"call {self.calls}".encode() * 10
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _app(inner: Inner, store: FakeStore, settings: Settings | None = None, budget: int = 10_000):
    return _served(ResponseCache(inner, mounts=APIS, budget=budget), store, settings)


def _served(cache: ResponseCache, store: FakeStore, settings: Settings | None = None) -> Any:
    return StoreMiddleware(cache, stores=FakeStores(store), settings=settings or Settings())


def _get(app: Any, path: str = UNPOD, method: str = "GET", **headers: str) -> Message:
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "query_string": b"page=1",
        "headers": [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return {"status": sent[0]["status"], "body": sent[1]["body"]}


def test_a_repeated_get_is_answered_from_the_cache_with_the_same_bytes() -> None:
    inner = Inner()
    app = _app(inner, FakeStore())
    first, second = _get(app, authorization="jwt a"), _get(app, authorization="jwt a")
    assert inner.calls == 1
    assert first == second


def test_another_credential_or_query_is_another_entry() -> None:
    inner = Inner()
    app = _app(inner, FakeStore())
    _get(app, authorization="jwt a")
    assert _get(app, authorization="jwt b")["body"].startswith(b"call 2")
    assert _get(app, "/api/v2/platform/other", authorization="jwt a")["body"].startswith(b"call 3")
    assert inner.calls == 3


def test_a_state_change_empties_the_cache() -> None:
    inner, store = Inner(), FakeStore()
    app = _app(inner, store)
    _get(app)
    store.version += 1
    assert _get(app)["body"].startswith(b"call 2")


def test_an_answer_computed_while_the_state_changed_is_not_kept() -> None:
    store = FakeStore()

    def write() -> None:
        store.version += 1

    inner = Inner(on_call=write)
    app = _app(inner, store)
    _get(app)
    _get(app)
    assert inner.calls == 2


def test_requests_that_ask_for_a_fresh_answer_or_steer_the_mock_bypass_it() -> None:
    inner = Inner()
    app = _app(inner, FakeStore())
    _get(app)
    for headers in (
        {"cache_control": "no-cache"},
        {"cache_control": "max-age=0, no-store"},
        {"pragma": "no-cache"},
        {"x_mock_scenario": "failed-payment"},
        {"x_mock_seed": "7"},
        {"prefer": "code=404"},
    ):
        calls = inner.calls
        _get(app, **headers)
        assert inner.calls == calls + 1, headers
    assert _get(app)["body"].startswith(b"call 1")  # the plain entry is untouched


def test_only_gets_on_vendor_apis_are_cached() -> None:
    inner = Inner()
    app = _app(inner, FakeStore())
    for _ in range(2):
        _get(app, method="POST")
        _get(app, "/__mock/scenarios")
        _get(app, "/openapi/unpod-billing.yaml")
    assert inner.calls == 6


def test_server_errors_are_not_kept_but_client_errors_are() -> None:
    failing = Inner(status=500)
    app = _app(failing, FakeStore())
    _get(app)
    _get(app)
    assert failing.calls == 2
    refused = Inner(status=401)
    app = _app(refused, FakeStore())
    assert _get(app)["status"] == _get(app)["status"] == 401
    assert refused.calls == 1


def test_a_server_with_latency_or_faults_caches_nothing() -> None:
    for settings in (Settings(latency=Range(1, 2)), Settings(fault="500", fault_rate=0.1)):
        inner = Inner()
        app = _app(inner, FakeStore(), settings)
        _get(app)
        _get(app)
        assert inner.calls == 2


def _entry_size() -> int:
    """What one entry of the tests below counts against the budget, as the cache reports."""
    cache = ResponseCache(Inner(), mounts=APIS, budget=10_000)
    _get(_served(cache, FakeStore()), authorization="a")
    assert len(cache) == 1
    return cache.size


def test_the_least_recently_used_answers_go_first_when_over_budget() -> None:
    inner = Inner()  # every entry has the same size: the budget keeps four
    app = _app(inner, FakeStore(), budget=4 * _entry_size() + _entry_size() // 2)
    for credential in "abcd":
        _get(app, authorization=credential)
    _get(app, authorization="a")  # a is now the most recently used
    _get(app, authorization="e")  # evicts b
    calls = inner.calls
    for credential in "acde":
        _get(app, authorization=credential)
    assert inner.calls == calls
    _get(app, authorization="b")
    assert inner.calls == calls + 1


def test_an_answer_bigger_than_a_quarter_of_the_budget_is_never_kept() -> None:
    inner = Inner()  # 60 bytes, over 200 // 4
    app = _app(inner, FakeStore(), budget=200)
    _get(app)
    _get(app)
    assert inner.calls == 2


def test_keys_count_against_the_budget() -> None:
    """400 requests with distinct 512 KB headers and small (401) answers used to keep
    200 MB under an 8 MiB budget that counted bodies only.
    """
    inner = Inner()
    cache = ResponseCache(inner, mounts=APIS, budget=20_000)
    app = _served(cache, FakeStore())
    big = "x" * 2_000
    for n in range(40):
        _get(app, authorization=f"{n} {big}")
    calls = inner.calls
    _get(app, authorization=f"0 {big}")
    assert inner.calls == calls + 1, "the oldest entry was evicted"
    assert 0 < len(cache) <= 20_000 // 2_000
    assert cache.size <= 20_000


def test_an_entry_counts_its_key_headers_and_body() -> None:
    cache = ResponseCache(Inner(), mounts=APIS, budget=100_000)
    app = _served(cache, FakeStore())
    _get(app, authorization="a")
    small = cache.size
    _get(app, authorization="b" * 1_000)
    assert cache.size - small >= 1_000 + 60  # the key's header and the body
    assert len(cache) == 2


def test_a_key_bigger_than_a_quarter_of_the_budget_is_never_kept() -> None:
    inner = Inner()  # a 60-byte body, but a 3,000-byte key: over 10,000 // 4
    app = _app(inner, FakeStore(), budget=10_000)
    _get(app, authorization="x" * 3_000)
    _get(app, authorization="x" * 3_000)
    assert inner.calls == 2


def test_a_response_cut_short_is_not_kept() -> None:
    class Cut(Inner):
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            self.calls += 1
            start = {"type": "http.response.start", "status": 200, "headers": []}
            await send(start)
            await send({"type": "http.response.body", "body": b"{", "more_body": True})

    inner = Cut()
    app = _app(inner, FakeStore())
    _get(app)
    _get(app)
    assert inner.calls == 2
