"""`billing-mock serve`'s options for steering and limits: argparse definitions and the
checks of their values, beside the server code they configure.
"""

from __future__ import annotations

import argparse
import os

from billing_mock.data.stores import DEFAULT_MAX_SANDBOXES, DEFAULT_SANDBOX_IDLE
from billing_mock.server.connections import (
    DEFAULT_HEAD_TIMEOUT,
    DEFAULT_KEEP_ALIVE,
    DEFAULT_MAX_CONNECTIONS,
)
from billing_mock.settings import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY,
    FAULTS,
    Range,
    parse_range,
)


def add_steering(serve: argparse.ArgumentParser) -> None:
    """`serve`'s steering, exposure and log options (latency, faults, CORS, tokens)."""
    serve.add_argument(
        "--latency", type=_range, metavar="MS", help="add latency to every response: 250 or 100-800"
    )
    serve.add_argument(
        "--fault", choices=FAULTS, help="inject this failure on --fault-rate of requests"
    )
    serve.add_argument(
        "--fault-rate", type=float, default=0.05, help="share of requests that fail (default 0.05)"
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="URL",
        help="allow browser calls from this origin (repeatable; default: any localhost port)",
    )
    serve.add_argument(
        "--log-format", choices=("text", "json", "off"), default="text", help="request log lines"
    )
    serve.add_argument(
        "--control-token",
        default=os.environ.get("BILLING_MOCK_CONTROL_TOKEN"),
        help="token for /__mock (default $BILLING_MOCK_CONTROL_TOKEN; none: loopback only)",
    )
    serve.add_argument(
        "--link-secret",
        default=os.environ.get("BILLING_MOCK_LINK_SECRET"),
        help="key of hosted invoice links (default $BILLING_MOCK_LINK_SECRET; none: "
        "derived from the fixtures, known to whoever has them)",
    )
    serve.add_argument(
        "--control-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name besides loopback ones that /__mock answers without a token",
    )


def add_limits(serve: argparse.ArgumentParser) -> None:
    """`serve`'s bounds (see server/connections.py, server/bodies.py, data/stores.py)."""
    serve.add_argument(
        "--head-timeout",
        type=_seconds,
        default=DEFAULT_HEAD_TIMEOUT,
        metavar="S",
        help="close a connection whose request head takes longer "
        f"(default {DEFAULT_HEAD_TIMEOUT:g})",
    )
    serve.add_argument(
        "--keep-alive",
        type=_seconds,
        default=DEFAULT_KEEP_ALIVE,
        metavar="S",
        help=f"close a connection idle this long after a response (default {DEFAULT_KEEP_ALIVE:g})",
    )
    serve.add_argument(
        "--max-sandboxes",
        type=int,
        default=DEFAULT_MAX_SANDBOXES,
        metavar="N",
        help="sandboxes kept besides default (X-Mock-Sandbox, X-Mock-Seed), least recently "
        f"used dropped first (default {DEFAULT_MAX_SANDBOXES})",
    )
    serve.add_argument(
        "--sandbox-idle",
        type=_seconds_up_to_a_day,
        default=DEFAULT_SANDBOX_IDLE,
        metavar="S",
        help=f"a sandbox unused this long expires (default {DEFAULT_SANDBOX_IDLE:g})",
    )
    serve.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"answer 413 to a larger request body (default {DEFAULT_MAX_BODY})",
    )
    serve.add_argument(
        "--body-timeout",
        type=_seconds,
        default=DEFAULT_BODY_TIMEOUT,
        metavar="S",
        help=f"answer 408 to a request body slower than this (default {DEFAULT_BODY_TIMEOUT:g})",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="answer 503 beyond this many open connections or requests in progress "
        f"(default {DEFAULT_MAX_CONNECTIONS})",
    )


def _seconds_up_to_a_day(value: str) -> float:
    return _seconds(value, limit=86_400)


def _seconds(value: str, limit: float = 3600) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= limit:
        raise argparse.ArgumentTypeError(
            f"must be seconds above 0 and at most {limit:g}, not {value!r}"
        )
    return seconds


def _range(value: str) -> Range:
    try:
        return parse_range(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
