"""Wire forms rendered once: a bounded memo of what an API's wire code makes of an immutable
domain value (an Invoice is a frozen dataclass), keyed by the value itself and whatever else
the form depends on (the origin a URL carries, the capability ids' key).

A page of invoices is mostly the same invoices request after request; re-rendering each
one (Decimal sums, three ISO 8601 timestamps) was a third of the full pipeline's time
(issue 20). Keyed by value, not identity, so an invoice decoded again from a shared state
backend after another worker's write is still the same entry (equal values render alike:
amounts at their currency's exponent, instants in UTC).

A form is shared by every response that shows it, so it is frozen: its dicts and lists
refuse every change with a TypeError (a change would show in every later response), and
`copy.deepcopy` of one gives plain, changeable dicts and lists. `json` writes them as it
writes any dict and list.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec, TypeVar

from cachetools import LRUCache, cached
from cachetools.keys import hashkey

P = ParamSpec("P")
R = TypeVar("R")

FORMS_KEPT = 2048
"""Rendered forms kept per wire function, least recently used first out: every invoice of
the default world several times over (it has about a hundred), about a kilobyte each."""

SHARED = "a rendered form is shared between responses: change a copy.deepcopy of it"


def rendered(render: Callable[P, R]) -> Callable[P, R]:
    """`render` memoised on its arguments (all hashable, each immutable: domain values,
    strings, numbers), at most `FORMS_KEPT` forms, each frozen (`FrozenDict`,
    `FrozenList`). Used by each API's wire module for its invoice objects.
    """

    @functools.wraps(render)
    def frozen(*args: P.args, **kwargs: P.kwargs) -> R:
        value: R = freeze(render(*args, **kwargs))
        return value

    memo: Callable[P, R] = cached(LRUCache(maxsize=FORMS_KEPT), key=hashkey)(frozen)
    return memo


def freeze(value: Any) -> Any:
    """`value` with every dict and list in it made a FrozenDict or FrozenList."""
    if isinstance(value, dict):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(item) for item in value)
    return value


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(SHARED)


class FrozenDict(dict[str, Any]):
    """A dict that refuses every change (TypeError); deep-copies to a plain dict."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {key: copy.deepcopy(item, memo) for key, item in self.items()}


class FrozenList(list[Any]):
    """A list that refuses every change (TypeError); deep-copies to a plain list."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(item, memo) for item in self]
