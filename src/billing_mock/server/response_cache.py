"""The response cache: a repeated GET against unchanged state is answered with the bytes
it got before, without routing, auth, validation, the handler or JSON encoding again.

Why this is sound: the mock is deterministic (same seed, same state and same request give
the same bytes), auth and request validation depend only on the request and the fixtures,
and `Store.version` changes with every write and reset, which empties the cache. So a hit
is exactly what the full pipeline would have answered, errors (401, 403, 404, 400) included.

Never cached: anything but GET on an API that declares `Capability.RESPONSE_CACHE` (so
not the control API, nor writes), a GET that carries a body, requests that
steer the mock (`X-Mock-*`, `Prefer`), a server started with latency or faults, 5xx
answers, responses cut short (a dropped connection), and requests that ask for a fresh
answer (`Cache-Control: no-cache` or `no-store`, `Pragma: no-cache`): that is how to
time the full pipeline (`make bench`).
The request log and CORS sit outside, so hits are logged and get CORS headers as usual.

Bounded by bytes, keys included: an entry counts its key (path, query, every header the
key holds), its answer's headers and body, and an allowance for the Python objects
around them, so many requests with big distinct headers (credentials nobody holds,
each answered by a small 401) cannot hold more than the budget either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cachetools import LRUCache
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.domain.persistence import BackendError
from billing_mock.server.request_state import settings_of, stores_of
from billing_mock.server.routing import Capability, Mount, Mounts

DEFAULT_BUDGET = 8 * 1024 * 1024
"""Bytes kept, keys included (see `entry_size`); least recently used answers go first."""

ENTRY_OVERHEAD = 512
"""Bytes counted per entry beyond its bytes: the dict slot, key tuple and answer object."""

HEADER_OVERHEAD = 96
"""Bytes counted per header pair (in the key or the answer): its tuple and two bytes objects."""

# Headers that cannot change the answer (CORS is applied outside the cache); every other
# header is part of the key, so a different credential or Accept is a different entry.
_IGNORED = frozenset(
    {b"user-agent", b"connection", b"keep-alive", b"origin", b"referer", b"accept-encoding"}
)
_STEERING_PREFIX = b"x-mock-"
_FRESH = (b"no-cache", b"no-store")

Key = tuple[str, str, bytes, tuple[tuple[bytes, bytes], ...]]


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    size: int
    """What the entry holding this answer counts against the budget (`entry_size`)."""


def entry_size(key: Key, headers: tuple[tuple[bytes, bytes], ...], body: bytes) -> int:
    """Bytes an entry counts against the budget: every byte of its key, of its answer's
    headers and body, plus HEADER_OVERHEAD per header pair and ENTRY_OVERHEAD.
    """
    scheme, path, query, key_headers = key
    pairs = (*key_headers, *headers)
    return (
        len(scheme)
        + len(path)
        + len(query)
        + sum(len(name) + len(value) for name, value in pairs)
        + HEADER_OVERHEAD * len(pairs)
        + len(body)
        + ENTRY_OVERHEAD
    )


class ResponseCache:
    """ASGI middleware; must sit inside `StoreMiddleware`, which puts the Stores in the scope.

    `mounts` are the APIs served; only those declaring `Capability.RESPONSE_CACHE` are
    cached. `budget` caps the bytes kept, keys included (default 8 MiB, see
    `entry_size`); an entry bigger than a quarter of it is never kept.
    """

    def __init__(self, app: ASGIApp, mounts: Mounts[Mount], budget: int = DEFAULT_BUDGET) -> None:
        self._app = app
        self._mounts = mounts
        self._budget = budget
        self._entries: LRUCache[Key, _Answer] = LRUCache(budget, getsizeof=_size_of)
        self._version = -1

    def __len__(self) -> int:
        """How many answers are kept."""
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes the kept entries count against the budget (`entry_size`), at most `budget`."""
        return int(self._entries.currsize)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or serve the request and keep its answer."""
        key = self._key(scope)
        if key is None:
            await self._app(scope, receive, send)
            return
        # A cached request steers nothing (`_key`), so the default world serves it.
        store = stores_of(scope).default
        try:
            version = store.version
        except BackendError:
            # The state store failed: no answer is known good, and the request itself
            # gets the API's own 503 from the error handler.
            await self._app(scope, receive, send)
            return
        if version != self._version:
            self._entries.clear()
            self._version = version
        answer = self._entries.get(key)  # a hit becomes the most recently used
        if answer is not None:
            await send(
                {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
            )
            await send({"type": "http.response.body", "body": answer.body})
            return
        start: Message = {}
        chunks: list[bytes] = []
        complete = False

        async def keep(message: Message) -> None:
            nonlocal complete
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self._app(scope, receive, keep)
        # A write that landed meanwhile may or may not be in this answer: do not keep it.
        if (
            complete
            and start.get("status", 500) < 500
            and store.version == version == self._version
            and _shareable(start.get("headers", ()))
        ):
            self._keep(key, start["status"], tuple(start["headers"]), b"".join(chunks))

    def _keep(
        self, key: Key, status: int, headers: tuple[tuple[bytes, bytes], ...], body: bytes
    ) -> None:
        size = entry_size(key, headers, body)
        if size <= self._budget // 4:
            # LRUCache evicts the least recently used entries until this one fits.
            self._entries[key] = _Answer(status, headers, body, size)

    def _key(self, scope: Scope) -> Key | None:
        """What identifies the request's answer, or None when it must not be cached."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        api = self._mounts.taking_part_in(scope["path"], Capability.RESPONSE_CACHE)
        settings = settings_of(scope)
        if api is None or settings.latency or settings.fault:
            return None
        headers = []
        for name, value in scope["headers"]:
            if name.startswith(_STEERING_PREFIX) or name == b"prefer":
                return None
            if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
                # The body is not in the key, and the body checks may refuse it.
                return None
            if name in (b"cache-control", b"pragma"):
                if any(word in value.lower() for word in _FRESH):
                    return None
                continue
            if name not in _IGNORED:
                headers.append((name, value))
        return scope["scheme"], scope["path"], scope["query_string"], tuple(headers)


def _size_of(answer: _Answer) -> int:
    return answer.size


def _shareable(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether an answer may be kept by a shared cache: not `Cache-Control: no-store` or
    `private` (RFC 9111). The hosted invoice pages say no-store: they are served from the
    sandbox their id names, whose writes the default world's version does not follow.
    """
    for name, value in headers:
        if name.lower() == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
    return True
