"""Accounts and billing events to JSON and back, for state kept outside the process.

An explicit codec, never pickle: a shared store (SQLite, Redis) must not run what it
reads. Values are written by `json`, dataclasses field by field, and read back only as their
declared types (the dataclasses' annotations): dataclasses of `domain.models`, `events`
and `collection` field by field, enums by value, `Decimal` amounts as decimal strings
(exact, never a float), datetimes as ISO 8601 with their offset, dates as ISO 8601. A
document carries FORMAT; one of another format, or one that does not fit the types,
raises CodecError.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

from billing_mock.domain.events import BillingEvent
from billing_mock.domain.models import Account

FORMAT = 1
"""The version of the documents written; a reader refuses any other."""

T = TypeVar("T")


class CodecError(ValueError):
    """A document of another FORMAT, or one that does not decode to the declared types."""


def dumps_account(account: Account) -> str:
    """`account` as a JSON document (keys sorted: the same account, the same text)."""
    return json.dumps({"format": FORMAT, "account": account}, sort_keys=True, default=_plain)


def loads_account(text: str) -> Account:
    """The Account `dumps_account` wrote. Raises CodecError."""
    return _load(text, "account", Account)


def dumps_event(event: BillingEvent) -> str:
    """`event` as a JSON document."""
    return json.dumps({"format": FORMAT, "event": event}, sort_keys=True, default=_plain)


def loads_event(text: str) -> BillingEvent:
    """The BillingEvent `dumps_event` wrote. Raises CodecError."""
    return _load(text, "event", BillingEvent)


def _load(text: str, key: str, kind: type[T]) -> T:
    try:
        document = json.loads(text)
    except (TypeError, ValueError) as error:
        raise CodecError(f"not a JSON document: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise CodecError(f"a state document of format {found!r}; this version reads {FORMAT}")
    try:
        value: T = _decode(kind, document[key])
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise CodecError(f"a {kind.__name__} that does not decode: {error!r}") from None
    return value


def _plain(value: Any) -> Any:
    """What `json` cannot write itself: a dataclass as the dict of its fields (`json` then
    writes each), enums by value, instants and days in ISO 8601, decimals as strings
    (exact, never a float). Not `dataclasses.asdict`: it deep-copies every value first,
    which made a write to a shared backend cost more than the request around it.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in _fields(type(value))}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"no encoding for {type(value).__name__}")


def _decode(kind: Any, data: Any) -> Any:
    return _decoder(kind)(data)


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """How to read a value of declared type `kind`, worked out once per type: reading a
    sandbox back from a shared backend walked the annotations for every value (a checkout
    on one worker made each other worker do that for the whole account).
    """
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        present = _decoder(inner)
        return lambda data: None if data is None else present(data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            each = _decoder(args[0])
            return lambda data: tuple([each(element) for element in _list(data)])
        parts = tuple(_decoder(part) for part in args)
        return lambda data: tuple(
            part(element) for part, element in zip(parts, _list(data), strict=True)
        )
    if origin is dict:
        key, value = (_decoder(arg) for arg in typing.get_args(kind))
        return lambda data: {key(k): value(v) for k, v in _dict(data).items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    return functools.partial(_scalar, kind)


def _dataclass_decoder(kind: type) -> Callable[[Any], Any]:
    hints = _hints(kind)
    # A field added since the document was written, with a default, takes its default.
    required = [(f.name, f.default is dataclasses.MISSING) for f in _fields(kind)]
    make = typing.cast(Any, kind)

    def decode(data: Any) -> Any:
        fields = _dict(data)
        # Looked up per call, not captured: a dataclass may hold its own type.
        return make(
            **{
                name: _decoder(hints[name])(fields[name])
                for name, needed in required
                if needed or name in fields
            }
        )

    return decode


def _scalar(kind: Any, data: Any) -> Any:
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is datetime:
        return datetime.fromisoformat(_str(data))
    if kind is date:
        return date.fromisoformat(_str(data))
    if kind is Decimal:
        return Decimal(_str(data))
    if kind in (str, int, bool) and type(data) is kind:
        return data
    raise TypeError(f"{data!r} is no {getattr(kind, '__name__', kind)}")


@cache
def _fields(kind: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(kind)


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"{data!r} is no list")
    return data


def _dict(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"{data!r} is no object")
    return data


def _str(data: Any) -> str:
    if not isinstance(data, str):
        raise TypeError(f"{data!r} is no string")
    return data
