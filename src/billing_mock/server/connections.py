"""Connection limits uvicorn has no option for: a deadline and a size for each request's head.

uvicorn closes a connection that sits idle after a response (`timeout_keep_alive`), but
not one that never finishes a request head: a client that connects and sends nothing,
or sends a header line every few seconds, holds its socket forever, and a few hundred of
them exhaust the server's file descriptors. `HeadDeadlineProtocol` closes a connection
whose request line and headers are not complete within `head_timeout` seconds of the
connection opening or of the previous response ending, and answers 431 to a head longer
than `MAX_HEAD_BYTES` (httptools, unlike h11, has no bound of its own).

It is uvicorn's httptools protocol: h11's pure-Python parser cost about two thirds of
the cached path's throughput (`make bench`). Its writes are coalesced (`CoalescingTransport`):
uvicorn writes a response's head and body separately, two system calls and two packets
where one does; merging them gave the cached path a third more throughput and cut its
p99 (issue 20).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEAD_TIMEOUT = 10.0
"""Seconds a client has to send a whole request head: generous for any real client on a
slow link (a head is a few hundred bytes), short enough that idle sockets do not pile up.
"""

MAX_HEAD_BYTES = 16 * 1024
"""The longest request head accepted (request line and headers): h11's default bound,
which uvicorn served with before; nginx's default is 8 KiB per line, 32 KiB in all."""

COALESCE_BYTES = 64 * 1024
"""Queued bytes past which a coalescing transport writes at once: a response head and a
typical body go out together, a large body without waiting for the loop."""

DEFAULT_KEEP_ALIVE = 5.0
"""Seconds an idle connection is kept after a response (uvicorn's own default)."""

DEFAULT_MAX_CONNECTIONS = 200
"""Open connections or requests in progress beyond which uvicorn answers 503: well above
what a team's tests and browsers open, and below a 256-descriptor process limit, so a
flood is refused before normal requests fail to get a socket.
"""

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\n"
    b"connection: close\r\n\r\n"
    b"Request head over 16384 bytes.\r\n"
)


def head_deadline_protocol(head_timeout: float) -> type[HttpToolsProtocol]:
    """The httptools protocol class of uvicorn with a head deadline of `head_timeout` seconds
    and the `MAX_HEAD_BYTES` bound, for `uvicorn.run(http=...)`.
    """
    return type("HeadDeadlineProtocol", (HeadDeadlineProtocol,), {"head_timeout": head_timeout})


class HeadDeadlineProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that closes a connection whose request head is late, and answers
    431 to one too long (see module doc).
    """

    head_timeout = DEFAULT_HEAD_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_after: object = None  # the request cycle the next head must follow
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection and start waiting for its first request head."""
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._wait_for_head()

    def data_received(self, data: bytes) -> None:
        """Parse what came; a new request (a new cycle) means its head is complete."""
        super().data_received(data)
        if self._deadline is None:
            return
        if self.cycle is not self._waiting_after:
            self._stop_waiting()
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            self._stop_waiting()
            self.transport.write(_TOO_LARGE)
            self.transport.close()

    def on_response_complete(self) -> None:
        """After a response, the next request's head has its own deadline (unless a
        pipelined request already started).
        """
        finished = self.cycle
        super().on_response_complete()
        if self.cycle is finished and not self.transport.is_closing():
            self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._stop_waiting()
        super().connection_lost(exc)

    def _wait_for_head(self) -> None:
        self._stop_waiting()
        self._waiting_after = self.cycle
        self._head_bytes = 0
        self._deadline = self.loop.call_later(self.head_timeout, self._head_late)

    def _stop_waiting(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_late(self) -> None:
        self._deadline = None
        if self.cycle is self._waiting_after and not self.transport.is_closing():
            self.transport.close()


class CoalescingTransport:
    """`transport`, with the writes made in one turn of the event loop sent as one, at the
    end of that turn (or at once past `COALESCE_BYTES`, so a large body is not held back).
    Closing sends what is pending first; everything else is the transport's own.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        """Queue `data`; the turn's writes go out together."""
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)
        self._size += len(data)
        if self._size >= COALESCE_BYTES:
            self.flush()

    def flush(self) -> None:
        """Send what is queued now (nothing once the transport is closing)."""
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Send what is queued, then close."""
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
