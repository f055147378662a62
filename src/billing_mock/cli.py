"""The `billing-mock` command.

billing-mock serve --host 127.0.0.1 --port 8000 --seed 42
billing-mock contract-test --base-url https://staging.example --api unpod [...]
billing-mock proxy --upstream https://staging.example [--fallback mock] [--report-dir DIR]
billing-mock spec bundle --out DIR
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import uvicorn

from billing_mock.apis.control.auth import LOOPBACK_NAMES, is_loopback
from billing_mock.apis.registry import APIS, api_named, contract_tested
from billing_mock.app import create_app
from billing_mock.contract import runner
from billing_mock.data.backends import open_backend
from billing_mock.data.fixtures import FixtureError
from billing_mock.data.stores import (
    DEFAULT_SEED,
    SANDBOX_NAME,
    load_stores,
)
from billing_mock.domain.persistence import BackendError
from billing_mock.proxy import command as proxy_command
from billing_mock.server import options
from billing_mock.server.connections import (
    DEFAULT_HEAD_TIMEOUT,
    DEFAULT_KEEP_ALIVE,
    DEFAULT_MAX_CONNECTIONS,
    HeadDeadlineProtocol,
    head_deadline_protocol,
)
from billing_mock.settings import (
    DEFAULT_JOURNAL_SIZE,
    Settings,
)

WORKER_ARGV = "BILLING_MOCK_SERVE_ARGV"
"""Where `serve --workers N` leaves its arguments for the worker processes (JSON)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(arguments)
    args.argv = arguments
    status: int = args.run(args)
    return status


def worker_app() -> Any:
    """The app of one `serve --workers N` worker process (uvicorn's factory): what `serve`
    builds from the same arguments, over the shared state backend.
    """
    args = _parser().parse_args(json.loads(os.environ[WORKER_ARGV]))
    HeadDeadlineProtocol.head_timeout = args.head_timeout  # uvicorn imports it by name too
    built = _built(args)
    if isinstance(built, int):
        raise SystemExit(built)
    return built[0]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="billing-mock", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every API from the fixtures")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data seed (default 42)")
    serve.add_argument(
        "--fixtures", type=Path, help="fixtures directory (default: the ones shipped)"
    )
    serve.add_argument(
        "--validate-responses",
        action="store_true",
        help="check every response against the contract (slower)",
    )
    serve.add_argument(
        "--state",
        default="memory:",
        metavar="URL",
        help="where sandboxes' state lives: memory: (default, this process), "
        "sqlite:///path/state.db (kept, shared by workers on the host) or "
        "redis://host:port/db (shared by replicas)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes; more than 1 needs a shared --state (default: one per core "
        "with a shared --state, else 1)",
    )
    options.add_steering(serve)
    options.add_limits(serve)
    serve.add_argument(
        "--journal-size",
        type=int,
        default=DEFAULT_JOURNAL_SIZE,
        metavar="N",
        help="requests the request journal keeps for GET /__mock/requests, the oldest "
        f"dropped first (default {DEFAULT_JOURNAL_SIZE}; 0 keeps none)",
    )
    serve.set_defaults(run=_serve)
    _add_contract_test(commands)
    proxy = commands.add_parser(
        "proxy",
        help="forward to a deployment, checking every exchange against the contract",
        description=proxy_command.DESCRIPTION,
    )
    proxy_command.add_arguments(proxy, [api.name for api in contract_tested()])
    proxy.set_defaults(run=_proxy)
    spec = commands.add_parser("spec", help="work with the contracts")
    spec_commands = spec.add_subparsers(dest="spec_command", required=True)
    bundle = spec_commands.add_parser(
        "bundle", help="write each contract as one self-contained YAML and JSON file"
    )
    bundle.add_argument("--out", type=Path, required=True, help="directory to write into")
    bundle.set_defaults(run=_bundle)
    return parser


def _add_contract_test(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    test = commands.add_parser(
        "contract-test",
        help="check a live deployment against the contract with Schemathesis",
        description=(
            "Runs Schemathesis with every check against a deployment of one API (or all). "
            f"Exit 0: it conforms; {runner.DRIFT}: drift found (the report names the "
            f"operation, check, response and a curl to reproduce); {runner.UNREACHABLE}: "
            f"unreachable; {runner.CREDENTIALS_REFUSED}: credentials refused. Extra headers "
            f"also come from ${runner.HEADERS_ENV}, one 'Name: value' per line."
        ),
    )
    runner.add_arguments(test, [api.name for api in contract_tested()])
    sandbox = test.add_mutually_exclusive_group()
    sandbox.add_argument(
        "--sandbox",
        type=_sandbox_name,
        metavar="NAME",
        help="X-Mock-Sandbox sent on every request (default: a fresh contract-test-<hex>, so "
        "a run against billing-mock changes nothing others see; another server ignores it)",
    )
    sandbox.add_argument("--no-sandbox", action="store_true", help="send no X-Mock-Sandbox header")
    test.set_defaults(run=_contract_test)


def _sandbox_name(value: str) -> str:
    if not SANDBOX_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"must be 1 to 63 lower-case letters, digits and hyphens, not {value!r}"
        )
    return value


def _contract_test(args: argparse.Namespace) -> int:
    apis = contract_tested() if args.api == "all" else [api_named(args.api)]
    try:
        scoped = runner.headers_by_api(
            [*os.environ.get(runner.HEADERS_ENV, "").splitlines(), *args.header],
            [api.name for api in contract_tested()],
        )
    except ValueError as error:
        print(f"billing-mock contract-test: {error}", file=sys.stderr)
        return 2
    common = scoped[None]
    if not args.no_sandbox:
        # Random, not the seed: a second run must not inherit the first one's writes.
        common.setdefault("X-Mock-Sandbox", args.sandbox or f"contract-test-{secrets.token_hex(4)}")
    worst = runner.CONFORMS
    for api in apis:
        report = args.junit_xml
        if report is not None and len(apis) > 1:
            report = report.with_name(f"{report.stem}.{api.name}{report.suffix}")
        target = runner.Target(
            name=api.name,
            contract=api.contract,
            base_path=api.base_path,
            probe=api.probe,
            base_url=args.base_url,
            headers={**common, **scoped.get(api.name, {})},
            max_examples=args.max_examples,
            seed=args.seed,
            junit_xml=report,
            operations=args.include_operation,
            workers=args.workers,
            require_coverage=args.require_coverage,
        )
        worst = max(worst, runner.run(target))
    return worst


def _proxy(args: argparse.Namespace) -> int:
    apis = contract_tested() if args.api == "all" else [api_named(args.api)]
    fallback = create_app(load_stores()) if args.fallback == "mock" else None
    proxy = proxy_command.build(args, apis, fallback)
    if proxy is None:
        return 2
    # The upstream's own Server and Date headers reach the client, not uvicorn's.
    _listen(proxy, args.host, args.port, server_header=False, date_header=False)
    return 0


def _bundle(args: argparse.Namespace) -> int:
    # Imported here: openapi-spec-validator would add a fifth of a second to `serve`.
    from billing_mock.contract.bundle import write_bundles

    for path in write_bundles([api.contract for api in APIS], args.out):
        print(path)
    return 0


def default_workers(state: str) -> int:
    """`serve`'s worker processes when `--workers` is not given, for `--state` URL `state`:
    1 with `memory:` (state per process), else one per core this process may run on (the
    full pipeline is CPU-bound; more workers than cores measured slower in `make bench`).
    """
    return 1 if _in_memory(state) else len(os.sched_getaffinity(0))


def _in_memory(state: str) -> bool:
    return state in ("memory", "memory:")


def _serve(args: argparse.Namespace) -> int:
    if args.workers is None:
        args.workers = default_workers(args.state)
    if args.workers > 1 and _in_memory(args.state):
        return _refuse(
            "--workers needs a shared --state (sqlite:///path/state.db or redis://host:port/db): "
            "with memory: each worker would hold its own state"
        )
    built = _built(args)
    if isinstance(built, int):
        return built
    app, settings = built
    for warning in exposure_warnings(args.host, settings):
        print(f"billing-mock: warning: {warning}", file=sys.stderr)
    origin = f"http://{args.host}:{args.port}"
    print(f"billing-mock (seed {args.seed}, state {args.state}) on {origin}/ (index of APIs)")
    for api in APIS:
        print(f"  {api.title}: {origin}{api.base_path}  docs: {origin}{api.base_path}/ui/")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    limits = (args.head_timeout, args.keep_alive, args.max_connections)
    if args.workers > 1:
        # Workers are processes that import the app by name, so each builds its own.
        os.environ[WORKER_ARGV] = json.dumps(args.argv)
        http = "billing_mock.server.connections:HeadDeadlineProtocol"
        worker = "billing_mock.cli:worker_app"
        _listen(
            worker, args.host, args.port, *limits, factory=True, workers=args.workers, http=http
        )
    else:
        # The request log (--log-format) replaces uvicorn's own access log.
        _listen(app, args.host, args.port, *limits)
    return 0


def _refuse(message: str) -> int:
    print(f"billing-mock: {message}", file=sys.stderr)
    return 2


def _built(args: argparse.Namespace) -> tuple[Any, Settings] | int:
    """The app and settings `serve` runs with `args`, or the exit status of a refusal
    (its reason printed: bad bounds, a bad fixture, a state backend that cannot serve).
    """
    if not 0 <= args.fault_rate <= 1:
        return _refuse("--fault-rate must be from 0 to 1")
    if args.journal_size < 0:
        return _refuse("--journal-size must be 0 or more")
    if min(args.max_body, args.max_connections, args.max_sandboxes, args.workers or 1) < 1:
        return _refuse(
            "--max-body, --max-connections, --max-sandboxes and --workers must be at least 1"
        )
    try:
        backend = open_backend(args.state, args.max_sandboxes, args.sandbox_idle)
        stores = load_stores(
            args.seed, args.fixtures, args.max_sandboxes, args.sandbox_idle, backend
        )
    except FixtureError as error:
        return _refuse(f"bad fixture: {error}")
    except BackendError as error:
        return _refuse(f"state: {error}")
    settings = Settings(
        control_token=args.control_token,
        control_hosts=tuple(name.lower() for name in args.control_host),
        cors_origins=tuple(args.cors_origin),
        latency=args.latency,
        fault=args.fault,
        fault_rate=args.fault_rate if args.fault else 0.0,
        log_format=args.log_format,
        max_body=args.max_body,
        body_timeout=args.body_timeout,
        link_secret=args.link_secret,
        journal_size=args.journal_size,
    )
    return create_app(stores, settings, validate_responses=args.validate_responses), settings


def _listen(
    app: Any,
    host: str,
    port: int,
    head_timeout: float = DEFAULT_HEAD_TIMEOUT,
    keep_alive: float = DEFAULT_KEEP_ALIVE,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    **options: Any,
) -> None:
    """Serve the ASGI `app` with uvicorn until SIGINT or SIGTERM, with `serve`'s limits on
    connections (see server/connections.py) and no access log; `options` go to uvicorn.
    """
    options.setdefault("http", head_deadline_protocol(head_timeout))
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        # Annotated int, used as seconds by loop.call_later: a fraction works (--keep-alive 0.5).
        timeout_keep_alive=cast(int, keep_alive),
        limit_concurrency=max_connections,
        **options,
    )


def exposure_warnings(host: str, settings: Settings) -> list[str]:
    """What a server bound to `host` with `settings` exposes that its operator should
    know: the control API without a token, hosted invoice links keyed by the fixtures.
    Empty for a loopback address.
    """
    if is_loopback(host) or host.lower() in LOOPBACK_NAMES:
        return []
    warnings = []
    if settings.control_token is None:
        warnings.append(
            f"serving on {host} with no --control-token: the control API (/__mock) answers "
            "any local process; set a token to share the server safely"
        )
    if settings.link_secret is None:
        warnings.append(
            f"serving on {host} with no --link-secret: hosted invoice links are keyed by "
            "the fixtures, so whoever has them can open any invoice"
        )
    return warnings


if __name__ == "__main__":
    raise SystemExit(main())
