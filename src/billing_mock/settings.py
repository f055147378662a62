"""The server's settings: what `billing-mock serve`'s flags set, as plain values."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BODY = 1024 * 1024
"""Bytes a request body may have (1 MiB): every body of every contract is a few hundred
bytes; a megabyte leaves room for any real client and none for a memory attack.
"""

DEFAULT_BODY_TIMEOUT = 10.0
"""Seconds a request body has to arrive whole once its head has: a megabyte in ten
seconds is 100 KB/s, slower than any real client's link."""

DEFAULT_JOURNAL_SIZE = 200
"""Requests the request journal keeps (`GET /__mock/requests`), newest first: with bodies
cut to 4 KiB each, at most about 2 MB; enough for the calls of a few end-to-end tests."""

FAULTS = ("500", "502", "503", "504", "drop", "timeout")
"""The failures `--fault` and `X-Mock-Fault` inject: that 5xx in the API's envelope; a
connection dropped mid-response; or no answer at all until the client gives up
(`timeout`, held at most FAULT_TIMEOUT_HOLD seconds)."""

FAULT_TIMEOUT_HOLD = 120.0
"""Seconds a `timeout` fault holds a request before answering 504 after all: longer than
any client's timeout, and bounded (with `--max-connections`) so held requests cannot
pile up for ever."""


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds, e.g. a latency of 100 to 300 milliseconds."""

    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Settings:
    """How the server was started: what `billing-mock serve`'s flags set.

    control_token  the token of the control API (`/__mock`); None: loopback callers only
    control_hosts  Host names, besides loopback ones, that the control API answers to
                   when no token is set (a page on another name is DNS rebinding)
    cors_origins   origins allowed to call the vendor APIs from a browser; empty: any
                   localhost port (never the control API)
    latency        milliseconds added to every response (a range draws per request)
    fault          one of FAULTS, injected on a `fault_rate` share of requests
    fault_rate     share of requests (0 to 1) that `fault` fails
    log_format     "text", "json" (one JSON object per line) or "off"
    max_body       bytes a request body may have; a larger one is 413
    body_timeout   seconds a request body has to arrive whole; a slower one is 408
    link_secret    keys the capability ids of hosted invoice pages and PDFs (Stripe-backed
                   API); None: a key derived from the fixtures, so deterministic but known
                   to whoever has them: set one on a shared server
    journal_size   requests the request journal keeps (a ring: the oldest go first);
                   0 keeps none
    """

    control_token: str | None = None
    control_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    latency: Range | None = None
    fault: str | None = None
    fault_rate: float = 0.0
    log_format: str = "off"
    max_body: int = DEFAULT_MAX_BODY
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    link_secret: str | None = None
    journal_size: int = DEFAULT_JOURNAL_SIZE


def parse_range(value: str) -> Range:
    """`250` or `100-800` as a Range of milliseconds; ValueError naming the problem."""
    low, _, high = value.partition("-")
    try:
        bounds = Range(float(low), float(high or low))
    except ValueError:
        raise ValueError(f"must be milliseconds like 250 or 100-800, not {value!r}") from None
    if not 0 <= bounds.low <= bounds.high <= 60_000:
        raise ValueError(f"must be 0 to 60000 ms, low before high, not {value!r}")
    return bounds
