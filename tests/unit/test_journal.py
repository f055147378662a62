"""The request journal's parts without HTTP: masking, the ring, its filters, and the
middleware's hold on bodies (bounded, passed on unchanged), driven as plain ASGI.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from billing_mock.apis.registry import APIS
from billing_mock.data.stores import load_stores
from billing_mock.server.exchanges import Body, Exchange
from billing_mock.server.journal import Filter, Journal, RequestJournal
from billing_mock.server.masking import Credential, Masking, credential_of, known_secrets, mask
from billing_mock.server.request_state import StoreMiddleware
from billing_mock.settings import Settings

KEY = "bmk_30ad7e29f4ae54bbc956d62580a5a9ad"
STORES = load_stores(42)


# --- masking -------------------------------------------------------------------------


def test_a_long_secret_shows_its_first_eight_and_last_four_characters() -> None:
    assert mask(KEY) == "bmk_30ad…a9ad"
    assert mask("x" * 24) == "xxxxxxxx…xxxx"


def test_a_short_secret_shows_nothing_of_itself() -> None:
    assert mask("x" * 23) == "…"
    assert mask("local") == "…"
    assert mask("") == ""


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("authorization", f"Bearer {KEY}", "Bearer bmk_30ad…a9ad"),
        ("authorization", f"jwt  {KEY} ", "jwt bmk_30ad…a9ad"),
        ("authorization", KEY, "bmk_30ad…a9ad"),
        ("proxy-authorization", "Basic dXNlcjpwYXNzd29yZA==", "Basic …"),
        ("cookie", f"theme=dark; session={KEY}", "theme=…; session=bmk_30ad…a9ad"),
        (
            "set-cookie",
            f"session={KEY}; Path=/; HttpOnly",
            "session=bmk_30ad…a9ad; Path=/; HttpOnly",
        ),
        ("x-api-key", KEY, "bmk_30ad…a9ad"),
        ("x-mock-control-token", "a-control-token", "…"),
        ("x-custom", f"key {KEY} inside", "key bmk_30ad…a9ad inside"),
        ("accept", "application/json", "application/json"),
    ],
)
def test_header_values_are_masked(name: str, value: str, shown: str) -> None:
    assert Masking([KEY]).header(name, value) == shown


def test_known_secrets_are_masked_in_text_the_longest_first() -> None:
    masking = Masking([KEY, KEY[:20], "short"])
    assert masking.text(f'{{"a": "{KEY}", "b": "{KEY[:20]}", "c": "short"}}') == (
        '{"a": "bmk_30ad…a9ad", "b": "…", "c": "short"}'
    )
    assert Masking().text(KEY) == KEY


def test_every_fixture_credential_and_server_secret_is_known() -> None:
    settings = Settings(control_token="a-control-token-long-enough", link_secret="a-link-secret")
    known = set(known_secrets(STORES.fixtures, settings))
    for user in STORES.fixtures.users:
        assert {user.jwt, user.api_token, user.bearer} <= known
        assert all({m.api_key, m.session} <= known for m in user.memberships)
    assert {
        STORES.fixtures.gateway.key_secret,
        *(settings.control_token, settings.link_secret),
    } <= known


@pytest.mark.parametrize(
    ("headers", "credential"),
    [
        ({"authorization": f"jwt {KEY}"}, Credential("jwt", "bmk_30ad…a9ad")),
        ({"authorization": f"Token {KEY}"}, Credential("token", "bmk_30ad…a9ad")),
        ({"authorization": f"BEARER {KEY}"}, Credential("bearer", "bmk_30ad…a9ad")),
        ({"authorization": f"Digest {KEY}"}, Credential("authorization", "bmk_30ad…a9ad")),
        ({"authorization": KEY}, Credential("authorization", "bmk_30ad…a9ad")),
        ({"x-api-key": KEY, "cookie": "session=x"}, Credential("apiKey", "bmk_30ad…a9ad")),
        ({"cookie": f"a=b; session={KEY}"}, Credential("session", "bmk_30ad…a9ad")),
        ({"cookie": "a=b"}, None),
        ({}, None),
    ],
)
def test_the_credential_of_a_request(
    headers: dict[str, str], credential: Credential | None
) -> None:
    assert credential_of(headers) == credential


# --- the ring and its filters ----------------------------------------------------------


def _exchange(**fields: Any) -> Exchange:
    defaults: dict[str, Any] = {
        "received_at": datetime(2026, 1, 1, tzinfo=UTC),
        "method": "GET",
        "path": "/api/billing/subscription/me",
        "query": b"",
        "status": 200,
        "latency_ms": 1.0,
        "sandbox": "default",
        "request_headers": [],
        "request_body": b"",
        "request_size": 0,
        "response_headers": [],
        "response_body": b"",
        "response_size": 0,
    }
    return Exchange(**{**defaults, **fields})


def test_the_ring_keeps_the_newest_and_numbers_every_exchange() -> None:
    journal = Journal(3)
    for index in range(5):
        journal.record(_exchange(query=str(index).encode()))
    assert [(e.id, e.query) for e in journal.entries()] == [(5, "4"), (4, "3"), (3, "2")]
    assert journal.capacity == 3
    assert journal.clear() == 3
    assert journal.record(_exchange()) == 6


def test_an_entry_is_masked_once_when_first_read() -> None:
    journal = Journal(3, [KEY])
    headers = [(b"x-mock-scenario", b"expired-card"), (b"x-api-key", KEY.encode())]
    journal.record(_exchange(request_headers=headers, query=f"k={KEY}".encode()))
    [entry] = journal.entries()
    assert entry.query == "k=bmk_30ad…a9ad"
    assert entry.request.headers == (
        ("x-mock-scenario", "expired-card"),
        ("x-api-key", "bmk_30ad…a9ad"),
    )
    assert (entry.scenario, entry.credential) == (
        "expired-card",
        Credential("apiKey", "bmk_30ad…a9ad"),
    )
    assert journal.entries()[0] is entry


def test_limit_and_after_stop_before_the_rest_is_read() -> None:
    journal = Journal(5)
    for _ in range(5):
        journal.record(_exchange())
    assert [entry.id for entry in journal.entries(limit=2)] == [5, 4]
    assert [entry.id for entry in journal.entries(Filter(after=3))] == [5, 4]
    assert [entry.id for entry in journal.entries(Filter(after=3, method="POST"))] == []


def test_a_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        Journal(-1)


@pytest.mark.parametrize(
    ("where", "matched"),
    [
        (Filter(sandbox="a"), [3, 1]),
        (Filter(method="POST"), [2]),
        (Filter(path="/api/v2"), [3]),
        (Filter(status="4xx"), [2]),
        (Filter(status="404"), [2]),
        (Filter(status="40"), []),
        (Filter(status="0"), [3]),
        (Filter(status="2xx"), [1]),
        (Filter(after=1), [3, 2]),
        (Filter(sandbox="a", status="2xx"), [1]),
    ],
)
def test_filters(where: Filter, matched: list[int]) -> None:
    journal = Journal(10)
    journal.record(_exchange(sandbox="a"))
    journal.record(_exchange(method="POST", status=404))
    journal.record(_exchange(sandbox="a", path="/api/v2/platform/x", status=0))
    assert [entry.id for entry in journal.entries(where)] == matched


def test_clearing_one_sandbox_keeps_the_order_of_the_rest() -> None:
    journal = Journal(10)
    for sandbox in ("a", "b", "a", "b"):
        journal.record(_exchange(sandbox=sandbox))
    assert journal.clear("a") == 2
    assert [entry.id for entry in journal.entries()] == [4, 2]


def test_threads_recording_at_once_get_distinct_ids() -> None:
    journal = Journal(10_000)

    def record() -> None:
        for _ in range(500):
            journal.record(_exchange())

    threads = [threading.Thread(target=record) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(entry.id for entry in journal.entries()) == list(range(1, 4001))


# --- the middleware ------------------------------------------------------------------


def _serve(
    journal: Journal, chunks: list[bytes], answer: list[bytes], media: str, limit: int = 16
) -> tuple[list[Any], list[bytes]]:
    """Serve one POST sent in `chunks`, answered in `answer` chunks of `media`, through
    the journal; what the app received and what reached the client.
    """
    received: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            received.append(message["body"])
            if not message["more_body"]:
                break
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", media.encode())],
            }
        )
        for index, chunk in enumerate(answer):
            more = index < len(answer) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    incoming = iter(
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    )
    sent: list[Any] = []

    async def receive() -> Any:
        return next(incoming)

    async def send(message: Any) -> None:
        sent.append(message)

    served = StoreMiddleware(
        RequestJournal(app, journal, APIS, body_limit=limit), STORES, Settings()
    )
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/billing/checkout",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    asyncio.run(served(scope, receive, send))
    return sent, received


def test_bodies_are_passed_on_unchanged_and_only_their_start_is_kept() -> None:
    journal = Journal(5)
    chunks = [b'{"a": "' + b"x" * 10, b"y" * 1000, b'"}']
    answer = [b"z" * 40, b"w" * 40]
    sent, received = _serve(journal, chunks, answer, "application/json")
    assert received == chunks
    assert [message.get("body") for message in sent[1:]] == answer
    [entry] = journal.entries()
    assert entry.status == 201
    assert entry.request.body == Body("application/json", 1019, True, '{"a": "xxxxxxxxx')
    assert entry.response.body == Body("application/json", 80, True, "z" * 16)


def test_a_character_cut_in_two_is_not_shown_broken() -> None:
    journal = Journal(5)
    _serve(journal, ["€€€€€€".encode()], [b"ok"], "text/plain", limit=4)
    assert journal.entries()[0].request.body.text == "€"  # 3 bytes of 4; the 4th is held back


@pytest.mark.parametrize(
    ("media", "text"),
    [
        ("application/pdf", None),
        ("application/octet-stream", None),
        ("image/png", None),
        ("text/csv; charset=utf-8", "zz"),
        ("application/problem+json", "zz"),
        ("Application/JSON", "zz"),
    ],
)
def test_binary_bodies_are_described_not_shown(media: str, text: str | None) -> None:
    journal = Journal(5)
    _serve(journal, [b"{}"], [b"zz"], media)
    assert journal.entries()[0].response.body == Body(media, 2, False, text)


def test_a_secret_cut_by_the_body_limit_is_not_shown_in_clear() -> None:
    key = "bmk_30ad7e29f4ae54bbc956d62580a5a9ad"
    masking = Masking([key])
    cut_in_the_key = '{"note": "x", "apiKey": "' + key[:23]
    shown = masking.text(cut_in_the_key, truncated=True)
    assert key[:12] not in shown
    assert shown.endswith('"apiKey": "…')
    assert masking.text(cut_in_the_key) == cut_in_the_key  # a whole text keeps its words
