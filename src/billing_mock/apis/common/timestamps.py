"""Timestamps as the APIs that write whole seconds show them; shared, not API-specific."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_seconds(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, with `Z` (`2026-11-15T09:30:00Z`): the form of the
    Razorpay-backed API (seed 003), the Stripe-backed API (seed 002) and the control API.
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
