"""`CoalescingTransport`: a turn's writes go out as one, closing sends them first, a large
body is not held back, and nothing is written to a closing transport.
"""

from __future__ import annotations

import asyncio
import socket

from billing_mock.server.connections import COALESCE_BYTES, CoalescingTransport


class _Idle(asyncio.Protocol):
    pass


async def _pair() -> tuple[CoalescingTransport, asyncio.Transport, socket.socket]:
    ours, theirs = socket.socketpair()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(_Idle, ours)
    writes: list[bytes] = []
    real_write = transport.write

    def write(data: bytes) -> None:  # the real transport's write, counted
        writes.append(data)
        real_write(data)

    transport.write = write  # type: ignore[method-assign]
    transport.writes = writes  # type: ignore[attr-defined]
    return CoalescingTransport(transport, loop), transport, theirs


def _received(sock: socket.socket, size: int) -> bytes:
    sock.settimeout(5)
    data = b""
    while len(data) < size:
        data += sock.recv(65536)
    return data


def test_the_writes_of_one_turn_go_out_as_one_and_close_sends_what_is_pending() -> None:
    async def scenario() -> None:
        coalescing, transport, peer = await _pair()
        coalescing.write(b"HTTP/1.1 200 OK\r\n\r\n")
        coalescing.write(b"body")
        assert transport.writes == []  # type: ignore[attr-defined]
        await asyncio.sleep(0)
        assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]  # type: ignore[attr-defined]
        assert _received(peer, 23) == b"HTTP/1.1 200 OK\r\n\r\nbody"
        coalescing.write(b"last")
        coalescing.close()
        assert transport.writes[-1] == b"last"  # type: ignore[attr-defined]
        assert transport.is_closing()
        await asyncio.sleep(0)
        assert _received(peer, 4) == b"last"
        peer.close()

    asyncio.run(scenario())


def test_a_large_body_is_written_at_once_and_nothing_after_closing() -> None:
    async def scenario() -> None:
        coalescing, transport, peer = await _pair()
        coalescing.write(b"head")
        coalescing.write(b"x" * COALESCE_BYTES)
        assert len(transport.writes) == 1  # type: ignore[attr-defined]
        coalescing.write(b"late")
        transport.close()
        await asyncio.sleep(0)
        assert len(transport.writes) == 1  # type: ignore[attr-defined]
        peer.close()

    asyncio.run(scenario())
