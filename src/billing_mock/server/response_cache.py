"""The response cache: a repeated GET against unchanged state is answered with the bytes
it got before, without routing, auth, validation, the handler or JSON encoding again.

Why this is sound: the mock is deterministic (same seed, same state and same request give
the same bytes), auth and request validation depend only on the request and the fixtures,
and `Store.version` changes with every write and reset, which empties the cache. So a hit
is exactly what the full pipeline would have answered, errors (401, 403, 404, 400) included.

Never cached: anything but GET on an API that declares `Capability.RESPONSE_CACHE` (so
not the control API, nor writes), requests that
steer the mock (`X-Mock-*`, `Prefer`), a server started with latency or faults, 5xx
answers, and requests that ask for a fresh answer (`Cache-Control: no-cache` or
`no-store`, `Pragma: no-cache`): that is how to time the full pipeline (`make bench`).
The request log and CORS sit outside, so hits are logged and get CORS headers as usual.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.server.request_state import settings_of, store_of
from billing_mock.server.routing import Capability, Mount, Mounts

DEFAULT_BUDGET = 8 * 1024 * 1024
"""Bytes of response bodies kept; least recently used answers go first."""

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


class ResponseCache:
    """ASGI middleware; must sit inside `StoreMiddleware`, which puts the Store in the scope.

    `mounts` are the APIs served; only those declaring `Capability.RESPONSE_CACHE` are
    cached. `budget` caps the bytes of bodies kept (default 8 MiB); an answer bigger
    than a quarter of it is never kept.
    """

    def __init__(self, app: ASGIApp, mounts: Mounts[Mount], budget: int = DEFAULT_BUDGET) -> None:
        self._app = app
        self._mounts = mounts
        self._budget = budget
        self._entries: OrderedDict[Key, _Answer] = OrderedDict()
        self._size = 0
        self._version = -1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the cache, or serve the request and keep its answer."""
        key = self._key(scope)
        if key is None:
            await self._app(scope, receive, send)
            return
        store = store_of(scope)
        version = store.version
        if version != self._version:
            self._entries.clear()
            self._size, self._version = 0, version
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
            await send(
                {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
            )
            await send({"type": "http.response.body", "body": answer.body})
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self._app(scope, receive, keep)
        # A write that landed meanwhile may or may not be in this answer: do not keep it.
        if start.get("status", 500) < 500 and store.version == version == self._version:
            self._keep(key, _Answer(start["status"], tuple(start["headers"]), b"".join(chunks)))

    def _keep(self, key: Key, answer: _Answer) -> None:
        if len(answer.body) > self._budget // 4:
            return
        self._entries[key] = answer
        self._size += len(answer.body)
        while self._size > self._budget:
            _, evicted = self._entries.popitem(last=False)
            self._size -= len(evicted.body)

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
            if name in (b"cache-control", b"pragma"):
                if any(word in value.lower() for word in _FRESH):
                    return None
                continue
            if name not in _IGNORED:
                headers.append((name, value))
        return scope["scheme"], scope["path"], scope["query_string"], tuple(headers)
