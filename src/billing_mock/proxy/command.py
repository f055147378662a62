"""`billing-mock proxy`: its options, and the ValidatingProxy they make (cli serves it).

On SIGINT or SIGTERM uvicorn shuts the app down (its lifespan), and the proxy then writes
its JSON and JUnit reports into `--report-dir`; `GET /__proxy/report` shows the JSON
while it runs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from starlette.types import ASGIApp

from billing_mock.apis.base import ApiModule
from billing_mock.proxy.forward import REPORT_PATH, ValidatingProxy
from billing_mock.proxy.report import JSON_FILE, JUNIT_FILE, Report
from billing_mock.server.routing import Mounts
from billing_mock.settings import DEFAULT_MAX_BODY

DESCRIPTION = (
    "Forwards every request to --upstream unchanged and checks request and response "
    "against the contract (path, method, parameters, bodies, status, content type, "
    "headers, the API's error envelope). The client gets the upstream's status, headers "
    "and bytes, plus X-Contract-Violations: N when N > 0; each violation is logged with "
    "a curl that reproduces it (credentials masked unless --show-secrets). GET "
    f"{REPORT_PATH} shows the report; on SIGINT/SIGTERM it is written to --report-dir. An "
    "unreachable upstream is a 502 (a timeout 504) in the API's error envelope."
)

DEFAULT_PORT = 4010
"""Prism's default port, so a team moving from `prism proxy` keeps its URLs."""


def add_arguments(parser: argparse.ArgumentParser, api_names: Sequence[str]) -> None:
    """The command's options on `parser`; `api_names` are what `--api` takes besides `all`."""
    parser.add_argument(
        "--upstream",
        required=True,
        type=_origin,
        help="the deployment to forward to, e.g. https://staging.example",
    )
    parser.add_argument(
        "--api", choices=[*api_names, "all"], default="all", help="which contract (default all)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--fallback",
        choices=("mock",),
        help="answer from the built-in mock where the upstream answers 404 or 501",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help=f"write {JSON_FILE} and {JUNIT_FILE} here on exit",
    )
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="log credentials (Authorization, cookies, API keys) as sent, not masked",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"check bodies up to this size; larger pass unchecked (default {DEFAULT_MAX_BODY})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds to wait for the upstream (default 30); then 504",
    )


def _origin(value: str) -> str:
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.path.strip("/")
    ):
        # A path would be dropped: each request's own path replaces it upstream.
        raise argparse.ArgumentTypeError(
            f"must be an http(s) origin like https://host, with no path, not {value!r}"
        )
    return value.rstrip("/")


def build(
    args: argparse.Namespace, apis: Sequence[ApiModule], fallback: ASGIApp | None
) -> ValidatingProxy | None:
    """The proxy for `apis` with `args` (see add_arguments), `fallback` the mock for
    `--fallback mock`, once it has printed where it listens and set up logging; None
    (after a message) for bad options. The caller serves it (`cli`, with uvicorn).
    """
    if args.max_body < 1 or not 0 < args.timeout <= 3600:
        print(
            "billing-mock proxy: --max-body must be at least 1, --timeout 0 to 3600",
            file=sys.stderr,
        )
        return None
    report = Report(
        args.upstream, [(api.name, api.contract) for api in apis], show_secrets=args.show_secrets
    )
    origin = f"http://{args.host}:{args.port}"
    print(f"billing-mock proxy on {origin}/ -> {args.upstream}")
    for api in apis:
        print(f"  {api.title}: {origin}{api.base_path} checked against {api.contract.name}")
    print(f"  report: {origin}{REPORT_PATH}")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    # httpx's line per request and connexion's per spec (the fallback mock) are noise here.
    for noisy in ("httpx", "connexion"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return ValidatingProxy(
        Mounts(apis),
        args.upstream,
        report,
        fallback=fallback,
        max_body=args.max_body,
        timeout=httpx.Timeout(args.timeout, connect=min(args.timeout, 5.0)),
        report_dir=args.report_dir,
    )
