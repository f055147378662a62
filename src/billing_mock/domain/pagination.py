"""Page-number pagination over an ordered list: Django REST framework's (a page past the end
is an error) and a collection's that is empty past the end (Razorpay-backed list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from billing_mock.domain.errors import PageNotFound

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page: its items and the total count across all pages."""

    items: Sequence[T]
    count: int
    number: int
    size: int


def paginate(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` (from 1) of `items`, `size` per page, as Django REST framework pages.

    Page 1 always exists, empty when `items` is; a later page past the end raises
    PageNotFound. `number` and `size` are at least 1 (the contract guarantees it).
    """
    if number > 1 and (number - 1) * size >= len(items):
        raise PageNotFound(number)
    return page_of(items, number, size)


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` (from 1) of `items`, `size` per page; a page past the end is empty.
    `number` and `size` are at least 1 (the contract guarantees it).
    """
    start = (number - 1) * size
    return Page(items=items[start : start + size], count=len(items), number=number, size=size)
