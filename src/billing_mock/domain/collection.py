"""Dunning: where collecting a declined subscription invoice stands (`domain.clock`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Dunning:
    """The retries of a declined invoice (processor id `invoice_reference`, `in_...`):
    `attempts` charges made so far, the first included, the next due at
    `next_attempt_at` (UTC); `reason`, the last decline's code (`events.Decline`).
    """

    invoice_reference: str
    attempts: int
    next_attempt_at: datetime
    reason: str
