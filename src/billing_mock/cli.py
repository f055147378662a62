"""The `billing-mock` command: `billing-mock serve --host 127.0.0.1 --port 8000 --seed 42`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from billing_mock.apis.registry import APIS
from billing_mock.app import create_app
from billing_mock.build import DEFAULT_SEED, build_store
from billing_mock.fixtures import DEFAULT_FIXTURES_DIR, FixtureError


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="billing-mock", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every API from the fixtures")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data seed (default 42)")
    serve.add_argument(
        "--fixtures", type=Path, default=DEFAULT_FIXTURES_DIR, help="fixtures directory"
    )
    serve.add_argument(
        "--validate-responses",
        action="store_true",
        help="check every response against the contract (slower)",
    )
    args = parser.parse_args(argv)
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    try:
        store = build_store(args.seed, args.fixtures)
    except FixtureError as error:
        print(f"billing-mock: bad fixture: {error}", file=sys.stderr)
        return 2
    app = create_app(store, validate_responses=args.validate_responses)
    origin = f"http://{args.host}:{args.port}"
    print(f"billing-mock (seed {args.seed}) on {origin}/ (index of APIs)")
    for api in APIS:
        print(f"  {api.title}: {origin}{api.base_path}  docs: {origin}{api.base_path}/ui/")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
