"""Bodies read for checking, never past a cap: what was read, and the rest still to stream.

The proxy must pass a body of any size through unchanged, yet hold at most `limit`
bytes of it: a body that fits is read whole and checked; one that does not is sent on
as it arrives (its first part, then the rest), unchecked.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from starlette.types import Receive


@dataclass(frozen=True, slots=True)
class Read:
    """A body read up to the cap: `head`, and the rest still to stream (None: all read)."""

    head: bytes
    rest: AsyncIterator[bytes] | None

    @property
    def whole(self) -> bytes | None:
        """The body when it was read whole, else None."""
        return self.head if self.rest is None else None


async def read_request(receive: Receive, limit: int) -> Read:
    """The ASGI request body from `receive`: whole when it has at most `limit` bytes, else
    its first chunks and the rest to stream (`chain` joins them).
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return Read(b"".join(chunks), None)
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body"):
            return Read(b"".join(chunks), None)
        if size > limit:
            return Read(b"".join(chunks), _rest_of_request(receive))


async def _rest_of_request(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body"):
            return


async def chain(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`head`, then every chunk of `rest`: a body read in part, whole again."""
    yield head
    async for chunk in rest:
        yield chunk


async def read_response(response: httpx.Response, limit: int) -> Read:
    """The raw bytes (Content-Encoding kept) of a streamed httpx response, as read_request."""
    chunks: list[bytes] = []
    size = 0
    stream = response.aiter_raw()
    async for chunk in stream:
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return Read(b"".join(chunks), stream)
    return Read(b"".join(chunks), None)


def decoded(read: Read, response: httpx.Response, limit: int) -> bytes | None:
    """The body with its Content-Encoding undone (gzip, deflate); None when it was not read
    whole, is in another encoding, or decodes to more than `limit` bytes.
    """
    body = read.whole
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if body is None or encoding == "identity":
        return body
    if encoding not in ("gzip", "deflate"):
        return None
    decompressor = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib, by its header
    try:
        decoded = decompressor.decompress(body, limit)
    except zlib.error:
        return None
    return None if decompressor.unconsumed_tail else decoded
