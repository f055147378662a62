"""A clock move as the control API takes it: `{"advance": "<ISO 8601 duration>"}` or
`{"to": "<ISO 8601 instant>"}`, to the instant it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import isodate

from billing_mock.domain.errors import InvalidRequest
from billing_mock.server.errors import cut

EXACTLY_ONE = "Send exactly one of advance (an ISO 8601 duration) and to (an ISO 8601 instant)"
BAD_DURATION = "advance must be an ISO 8601 duration in whole units (P1M, P10D, PT36H), not {value}"
BAD_INSTANT = (
    "to must be an ISO 8601 instant in whole seconds with a UTC offset "
    "(2027-01-01T00:00:00Z), not {value}"
)


class BadClockMove(InvalidRequest):
    """A move body the schema allows but that names no instant (400)."""


def target(body: Mapping[str, Any]) -> Callable[[datetime], datetime]:
    """The instant `body` moves the clock to, as a function of the clock's present (UTC).

    `advance` is added on the calendar (`P1M` from 31 January is 28 February); `to` is
    taken as it is. Raises BadClockMove for neither or both, a duration with fractions
    or none at all (`P`), and an instant without an offset or with fractions of a
    second; the function raises OverflowError for a duration past the year 9999.
    """
    if len(body) != 1 or not ({"advance", "to"} & body.keys()):
        raise BadClockMove(EXACTLY_ONE)
    if "to" in body:
        instant = _instant(str(body["to"]))
        return lambda now: instant
    duration = _duration(str(body["advance"]))

    def moved(now: datetime) -> datetime:
        try:
            later: datetime = now + duration
        except ValueError:  # a calendar date past the year 9999
            raise OverflowError(str(duration)) from None
        return later

    return moved


def _duration(text: str) -> Any:
    try:
        duration = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError):
        raise BadClockMove(BAD_DURATION.format(value=repr(cut(text, 40)))) from None
    if text in ("P", "PT") or text.endswith("T"):
        raise BadClockMove(BAD_DURATION.format(value=repr(cut(text, 40))))
    return duration


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.utcoffset() is None or instant.microsecond:
        raise BadClockMove(BAD_INSTANT.format(value=repr(cut(text, 40))))
    return instant
