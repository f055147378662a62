"""Wire forms rendered once: a bounded memo of what an API's wire code makes of an immutable
domain value (an Invoice is a frozen dataclass), keyed by the value itself and whatever else
the form depends on (the origin a URL carries, the capability ids' key).

A page of invoices is mostly the same invoices request after request; re-rendering each
one (Decimal sums, three ISO 8601 timestamps) was a third of the full pipeline's time
(issue 20). Keyed by value, not identity, so an invoice decoded again from a shared state
backend after another worker's write is still the same entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from cachetools import LRUCache, cached
from cachetools.keys import hashkey

P = ParamSpec("P")
R = TypeVar("R")

FORMS_KEPT = 2048
"""Rendered forms kept per wire function, least recently used first out: every invoice of
the default world several times over (it has about a hundred), a few hundred KB each."""


def rendered(render: Callable[P, R]) -> Callable[P, R]:
    """`render` memoised on its arguments (all hashable, each immutable: domain values,
    strings, numbers), at most `FORMS_KEPT` forms.

    The form returned is shared between requests: callers put it in a response as it is and
    never change it. Used by each API's wire module for its invoice objects.
    """
    memo: Callable[P, R] = cached(LRUCache(maxsize=FORMS_KEPT), key=hashkey)(render)
    return memo
