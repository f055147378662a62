"""The request journal: the last requests to the vendor APIs, secrets masked, newest first.

`RequestJournal` (ASGI middleware) records each request to an API that declares
`Capability.JOURNAL` into a `Journal`, a ring of `Settings.journal_size` exchanges that
`GET /__mock/requests` reads and `DELETE /__mock/requests` clears. Not recorded: the
control API (so the dashboard's polling never floods it), the dashboard and the served
contracts (under no API), and each API's Swagger UI and spec (`docs`). Of each body only
the first `body_limit` bytes are kept, and nothing more is buffered: the size is counted
as it streams. Every message passes through unchanged.

What a request costs is a copy of those bytes: decoding and masking (`masking.Masking`)
wait until the exchange is first read, as an `Entry` (method, path, query, status,
latency, sandbox, scenario, credential, both sides' headers and bodies), which is then
kept in its place and the raw exchange dropped. A server nobody reads the journal of
masks nothing.

The receive time is the wall clock's: it is an observation of the server, never billing
data (that is the sandbox's clock).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.data.stores import DEFAULT_SANDBOX, Stores
from billing_mock.server.errors import cut
from billing_mock.server.exchanges import Entry, Exchange, RawHeaders, shown
from billing_mock.server.masking import Masking
from billing_mock.server.request_log import DROPPED
from billing_mock.server.request_state import stores_of
from billing_mock.server.routing import Capability, Mount, Mounts, docs_paths

DEFAULT_BODY_LIMIT = 4096
"""Bytes of each body kept (4 KiB): a few screens of JSON, every contract's bodies whole."""

SPECS = ("/openapi.json", "/openapi.yaml")
"""Where connexion serves each API's spec, under its base path: documentation, not the API."""

_JOURNAL_KEY = "billing_mock.journal"


@dataclass(frozen=True, slots=True)
class Filter:
    """Which entries to list: every given field must match (None matches all).

    sandbox  the entry's sandbox, by canonical name;  method  upper-case, exactly
    path     a prefix of the entry's path;  status  `404` exactly, `4xx` a class, `0` dropped
    after    only entries whose id is greater (poll with the newest id seen)
    """

    sandbox: str | None = None
    method: str | None = None
    path: str | None = None
    status: str | None = None
    after: int | None = None

    def matches(self, entry: Entry) -> bool:
        """Whether `entry` passes every field given."""
        return (
            (self.sandbox is None or entry.sandbox == self.sandbox)
            and (self.method is None or entry.method == self.method)
            and (self.path is None or entry.path.startswith(self.path))
            and (self.after is None or entry.id > self.after)
            and (self.status is None or _status_matches(self.status, entry.status))
        )


def _status_matches(wanted: str, status: int) -> bool:
    if wanted.endswith("xx"):
        return status >= 100 and str(status)[0] == wanted[0]
    return str(status) == wanted


class Journal:
    """A ring of the last `size` exchanges (0: none are kept), safe to use from any
    thread; `secrets` are masked wherever they appear (`masking.Masking`).

    Ids count up from 1 and are never reused, not even after `clear`, so a poller asking
    for `after=<newest id seen>` sees each entry once. Raises ValueError for a negative size.
    """

    def __init__(self, size: int, secrets: Iterable[str] = ()) -> None:
        if size < 0:
            raise ValueError(f"a journal keeps 0 or more entries, not {size}")
        self._kept: deque[_Kept] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._last = 0
        self._masking = Masking(secrets)

    @property
    def capacity(self) -> int:
        """How many exchanges are kept at most."""
        return self._kept.maxlen or 0

    def record(self, raw: Exchange | _Recording) -> int:
        """Keep an exchange under the next id, dropping the oldest when full; the id.
        `raw` is an Exchange, or what `RequestJournal` recorded (made an Exchange when
        first read).
        """
        with self._lock:
            self._last += 1
            self._kept.append(_Kept(self._last, raw))
            return self._last

    def entries(self, where: Filter | None = None, limit: int | None = None) -> list[Entry]:
        """The entries `where` matches, newest first, at most `limit` of them."""
        with self._lock:
            newest_first = list(reversed(self._kept))
        found: list[Entry] = []
        for kept in newest_first:
            if limit is not None and len(found) >= limit:
                break
            if where is not None and where.after is not None and kept.id <= where.after:
                break  # ids only go down from here
            entry = kept.entry(self._masking)
            if where is None or where.matches(entry):
                found.append(entry)
        return found

    def clear(self, sandbox: str | None = None) -> int:
        """Drop every entry, or only `sandbox`'s (canonical name); how many were dropped."""
        with self._lock:
            before = len(self._kept)
            kept = [item for item in self._kept if sandbox not in (None, item.sandbox)]
            self._kept.clear()
            self._kept.extend(kept)
            return before - len(kept)


class _Kept:
    """One exchange in the ring: raw until first read, then its masked Entry alone."""

    __slots__ = ("_entry", "_raw", "_sandbox", "id")

    def __init__(self, id_: int, raw: Exchange | _Recording) -> None:
        self.id = id_
        self._raw: Exchange | _Recording | None = raw
        self._sandbox: str | None = None
        self._entry: Entry | None = None

    @property
    def sandbox(self) -> str:
        """The canonical name of the sandbox the request named, worked out once."""
        entry = self._entry
        if entry is not None:
            return entry.sandbox
        if self._sandbox is None:
            raw = self._raw
            assert raw is not None
            self._sandbox = raw.sandbox if isinstance(raw, Exchange) else raw.sandbox()
        return self._sandbox

    def entry(self, masking: Masking) -> Entry:
        """The Entry, made once. Two readers at once may both make it: the same value."""
        raw = self._raw  # read first: it is dropped only once the entry is set
        entry = self._entry
        if entry is None:
            assert raw is not None
            exchange = raw if isinstance(raw, Exchange) else raw.exchange(self.sandbox)
            entry = self._entry = shown(self.id, exchange, masking)
            self._raw = None
        return entry


def journal_of(request: Any) -> Journal:
    """The server's Journal, for `request` (a connexion or Starlette request, or its
    scope); only inside a request that passed `RequestJournal`.
    """
    scope: Scope = request if isinstance(request, dict) else request.scope
    journal: Journal = scope[_JOURNAL_KEY]
    return journal


class RequestJournal:
    """ASGI middleware recording requests in `journal` (see the module docstring); must
    sit inside `StoreMiddleware` (it names sandboxes as the Stores do).

    `mounts` are the APIs served, `docs` the paths under a base path not recorded,
    `body_limit` the bytes of each body kept. Every request's scope gets the journal, for
    `journal_of`.
    """

    def __init__(
        self,
        app: ASGIApp,
        journal: Journal,
        mounts: Mounts[Mount],
        docs: Iterable[str] = ("/ui", *SPECS),
        body_limit: int = DEFAULT_BODY_LIMIT,
    ) -> None:
        self._app = app
        self._journal = journal
        self._mounts = mounts
        self._is_docs = docs_paths(mounts, docs)
        self._body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, and record it if it is for a journaled API."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        scope[_JOURNAL_KEY] = self._journal
        if self._journal.capacity == 0 or not self._recorded(scope["path"]):
            await self._app(scope, receive, send)
            return
        recording = _Recording(scope, receive, send, self._body_limit)
        try:
            await self._app(scope, recording.receive, recording.send)
        finally:
            recording.finish()
            self._journal.record(recording)

    def _recorded(self, path: str) -> bool:
        """Whether a request for `path` is journaled: under an API that takes part, and
        not its docs.
        """
        api = self._mounts.taking_part_in(path, Capability.JOURNAL)
        return api is not None and not self._is_docs(path)


class _Recording:
    """One request being served: `receive` and `send` that pass every message on and
    keep the bodies' first bytes and sizes and the response's status and headers. Only
    references and counts while it is served; the Exchange is made when it is first read.
    """

    __slots__ = (
        "_receive",
        "_send",
        "_stores",
        "complete",
        "headers",
        "latency_ms",
        "limit",
        "method",
        "path",
        "query",
        "received_at",
        "request",
        "request_headers",
        "response",
        "started",
        "status",
    )

    def __init__(self, scope: Scope, receive: Receive, send: Send, body_limit: int) -> None:
        self.received_at = time.time()
        self.started = time.perf_counter()
        self.method, self.path, self.query = scope["method"], scope["path"], scope["query_string"]
        # A copy: an inner layer may put other headers in the scope (bodies.py does).
        self.request_headers = list(scope["headers"])
        self._stores = stores_of(scope)
        self.limit = body_limit
        self.request = _Capture()
        self.response = _Capture()
        self.status = DROPPED
        self.headers: RawHeaders = []
        self.complete = False
        self.latency_ms = 0.0
        self._receive = receive
        self._send = send

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.request.add(message.get("body", b""), self.limit)
        return message

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            self.response.add(message.get("body", b""), self.limit)
            self.complete = not message.get("more_body", False)
        elif kind == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        await self._send(message)

    def finish(self) -> None:
        """The request is over (answered, dropped or failed): its latency is known, and
        the connection's receive and send are let go (the ring outlives connections).
        """
        self.latency_ms = round((time.perf_counter() - self.started) * 1000, 1)
        del self._receive, self._send

    def sandbox(self) -> str:
        """The canonical name of the sandbox the request named."""
        return _sandbox(self._stores, self.request_headers)

    def exchange(self, sandbox: str) -> Exchange:
        """What was recorded, as the journal reads it."""
        return Exchange(
            received_at=datetime.fromtimestamp(self.received_at, UTC),
            method=self.method,
            path=self.path,
            query=self.query,
            status=self.status if self.complete else DROPPED,
            latency_ms=self.latency_ms,
            sandbox=sandbox,
            request_headers=self.request_headers,
            request_body=self.request.kept(self.limit),
            request_size=self.request.size,
            response_headers=self.headers,
            response_body=self.response.kept(self.limit),
            response_size=self.response.size,
        )


class _Capture:
    """A body's chunks up to `limit` bytes (the chunks themselves, never copied unless
    cut) and its whole size, counted as it streams.
    """

    __slots__ = ("chunks", "held", "size")

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.held = 0
        self.size = 0

    def add(self, chunk: bytes, limit: int) -> None:
        self.size += len(chunk)
        room = limit - self.held
        if room > 0 and chunk:
            piece = chunk if len(chunk) <= room else chunk[:room]
            self.chunks.append(bytes(piece))
            self.held += len(piece)

    def kept(self, limit: int) -> bytes:
        return b"".join(self.chunks)[:limit]


def _sandbox(stores: Stores, headers: RawHeaders) -> str:
    """The sandbox the request names (`X-Mock-Sandbox`, or `X-Mock-Seed` as `seed-<n>`),
    by its canonical name in `stores`; `default` without either.
    """
    named = dict(headers)
    name, seed = named.get(b"x-mock-sandbox"), named.get(b"x-mock-seed")
    if name is None and seed is not None:
        name = b"seed-" + seed
    if name is None:
        return DEFAULT_SANDBOX
    return stores.canonical(cut(name.decode("latin-1"), 64))
