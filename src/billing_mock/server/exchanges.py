"""An exchange as recorded (`Exchange`: raw bytes, bounded) and as the journal shows it
(`Entry`: decoded, cut, secrets masked), and the one step from the first to the second.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from datetime import datetime

from starlette.datastructures import Headers

from billing_mock.server.errors import cut
from billing_mock.server.masking import Credential, Masking, credential_of
from billing_mock.server.steering import ECHO_LIMIT

HEADER_LIMIT = 512
"""Characters of one header value kept."""

MAX_HEADERS = 64
"""Header pairs kept per side; a real client sends a dozen."""

TEXT_LIMIT = 2048
"""Characters of a path or query kept."""

MEDIA_TYPE_LIMIT = 100
"""Characters of a Content-Type kept."""

TEXT_SUBTYPES = ("json", "xml", "yaml", "javascript", "x-www-form-urlencoded", "csv")
"""Media subtypes (and `+` suffixes) shown as text, besides `text/*`; others are binary."""

Pairs = tuple[tuple[str, str], ...]
RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Body:
    """One body as shown: `text` is its first bytes decoded (None for a binary media type,
    such as a PDF), `size` its whole length in bytes, `truncated` whether text is cut.
    """

    media_type: str | None
    size: int
    truncated: bool
    text: str | None


@dataclass(frozen=True, slots=True)
class Side:
    """The request or the response: headers (lower-case names, masked) and body."""

    headers: Pairs
    body: Body


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer as recorded, before anything is decoded or masked:
    each body's first bytes (`request_body`, `response_body`) and whole size.
    """

    received_at: datetime
    method: str
    path: str
    query: bytes
    status: int
    latency_ms: float
    sandbox: str
    request_headers: RawHeaders
    request_body: bytes
    request_size: int
    response_headers: RawHeaders
    response_body: bytes
    response_size: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One request, as the journal shows it. `id` counts up from 1 in the order requests
    completed; `status` is 0 (`request_log.DROPPED`) for a response that never completed;
    `sandbox` is the canonical name (`default` without a header).
    """

    id: int
    received_at: datetime
    method: str
    path: str
    query: str
    status: int
    latency_ms: float
    sandbox: str
    scenario: str | None
    credential: Credential | None
    request: Side
    response: Side


def shown(id_: int, exchange: Exchange, masking: Masking) -> Entry:
    """The Entry of `exchange`, recorded under `id_`: decoded, cut, secrets masked."""
    headers = Headers(raw=exchange.request_headers)
    scenario = headers.get("x-mock-scenario")
    return Entry(
        id=id_,
        received_at=exchange.received_at,
        method=exchange.method,
        path=cut(masking.text(exchange.path), TEXT_LIMIT),
        query=cut(masking.text(exchange.query.decode("latin-1")), TEXT_LIMIT),
        status=exchange.status,
        latency_ms=exchange.latency_ms,
        sandbox=exchange.sandbox,
        scenario=None if scenario is None else cut(scenario, ECHO_LIMIT),
        credential=credential_of(headers),
        request=_side(headers, exchange.request_body, exchange.request_size, masking),
        response=_side(
            Headers(raw=exchange.response_headers),
            exchange.response_body,
            exchange.response_size,
            masking,
        ),
    )


def _side(headers: Headers, kept: bytes, size: int, masking: Masking) -> Side:
    pairs = tuple(
        (name, cut(masking.header(name, value), HEADER_LIMIT))
        for name, value in headers.items()[:MAX_HEADERS]
    )
    media_type = headers.get("content-type")
    shown = None if media_type is None else cut(media_type, MEDIA_TYPE_LIMIT)
    return Side(pairs, _body(shown, kept, size, masking))


def _body(media_type: str | None, kept: bytes, size: int, masking: Masking) -> Body:
    """The Body: text for a textual (or unnamed) media type, None for a binary one."""
    truncated = size > len(kept)
    if size and not _textual(media_type):
        return Body(media_type, size, truncated, None)
    # An incremental decoder holds back a character the cut split, instead of a `�`.
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(kept, final=not truncated)
    return Body(media_type, size, truncated, masking.text(text, truncated))


def _textual(media_type: str | None) -> bool:
    if media_type is None:
        return True
    main, _, sub = media_type.partition(";")[0].strip().lower().partition("/")
    return main == "text" or any(sub == kind or sub.endswith("+" + kind) for kind in TEXT_SUBTYPES)
