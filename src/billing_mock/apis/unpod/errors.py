"""Unpod's error envelope: `{"status_code": 401, "message": "..."}` (seed 000)."""

from __future__ import annotations

from billing_mock.server.errors import Failure


def error_body(failure: Failure) -> dict[str, object]:
    """The JSON body of an Unpod error response for `failure`."""
    return {"status_code": failure.status, "message": failure.message}
