"""Bodies the proxy reads for checking: whole up to the cap, streamed on past it, decoded."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator

import httpx
from starlette.types import Message, Receive

from billing_mock.proxy.bodies import Read, chain, decoded, read_request


def _receiver(chunks: list[bytes]) -> Receive:
    messages: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]

    async def receive() -> Message:
        return messages.pop(0)

    return receive


async def _all(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


def test_a_body_within_the_cap_is_read_whole() -> None:
    read = asyncio.run(read_request(_receiver([b"ab", b"cd"]), limit=10))
    assert read.whole == b"abcd"
    assert read.rest is None


def test_a_body_over_the_cap_is_held_in_part_and_the_rest_streams_through() -> None:
    chunks = [b"x" * 4] * 10

    async def run() -> tuple[Read, bytes]:
        read = await read_request(_receiver(chunks), limit=10)
        assert read.rest is not None
        return read, await _all(chain(read.head, read.rest))

    read, whole = asyncio.run(run())
    assert read.whole is None
    assert len(read.head) == 12  # three chunks: the one that crossed the cap is kept
    assert whole == b"x" * 40  # nothing lost, nothing repeated


def _response(body: bytes, encoding: str) -> httpx.Response:
    return httpx.Response(200, headers={"content-encoding": encoding}, content=body)


def test_gzip_is_undone_for_checking_and_a_bomb_is_not() -> None:
    packed = gzip.compress(b'{"a": 1}')
    assert decoded(Read(packed, None), _response(packed, "gzip"), limit=100) == b'{"a": 1}'
    bomb = gzip.compress(b"0" * 10_000)
    assert decoded(Read(bomb, None), _response(bomb, "gzip"), limit=1000) is None
    assert decoded(Read(b"?", None), _response(b"?", "br"), limit=100) is None
    assert decoded(Read(b"{}", None), _response(b"{}", "identity"), limit=100) == b"{}"
