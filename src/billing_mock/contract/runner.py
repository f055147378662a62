"""Runs Schemathesis' own CLI (`st run`) against a deployment of one API, after a preflight.

The preflight tells the three outcomes QA must not confuse apart before any test runs:
the deployment is unreachable, it refuses the credentials, or it answers (then every
Schemathesis check decides whether it conforms). Everything else (generation, checks,
stateful links, the per-operation summary, `curl` reproductions, JUnit XML) is
Schemathesis' own; this module only chooses its options.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import requests

from billing_mock.contract import coverage, junit
from billing_mock.contract.documents import Contract, openapi_directory

CONFORMS = 0
DRIFT = 1
UNREACHABLE = 3
CREDENTIALS_REFUSED = 4
"""Exit statuses of `contract-test` (2 is argparse's: bad command line)."""

RULES_FILE = "schemathesis.toml"
"""The business rules a schema cannot express, one `[[project]]` per contract (by its
`info.title`), shipped beside the contracts: `st run` finds it in `openapi/` by itself."""

HEADERS_ENV = "BILLING_MOCK_CONTRACT_HEADERS"
"""Environment variable with extra `Name: value` headers, one per line (credentials
that should stay out of shell history)."""


def rules() -> Traversable:
    """The shipped RULES_FILE (package data `billing_mock.openapi`, so a wheel has it)."""
    return openapi_directory() / RULES_FILE


@dataclass(frozen=True, slots=True)
class Target:
    """One run: an API's contract against the deployment at `base_url` (its origin; the
    API's `base_path` is appended).

    name      the API's short name, for messages and report file names (`unpod`)
    probe     a GET path under base_path that any accepted credential may call
    config    the Schemathesis config file (`--config-file`): the shipped RULES_FILE
    require_coverage  fail (DRIFT) when an operation never answered a documented 2xx; in
              the JUnit file, such an operation is a failure (else skipped)
    """

    name: str
    contract: Contract
    base_path: str
    probe: str
    base_url: str
    config: Traversable = field(default_factory=rules)
    headers: dict[str, str] = field(default_factory=dict)
    max_examples: int = 50
    seed: int | None = None
    junit_xml: Path | None = None
    operations: Sequence[str] = ()
    workers: int = 1
    require_coverage: bool = False
    timeout: float = 10.0

    @property
    def api_url(self) -> str:
        """The API's root on the deployment: base URL plus the API's base path."""
        return self.base_url.rstrip("/") + self.base_path


def add_arguments(parser: argparse.ArgumentParser, api_names: Sequence[str]) -> None:
    """`contract-test`'s options for a Target on `parser`, `--api` one of `api_names` or
    `all` (the caller adds where each run's writes go: `--sandbox`).
    """
    parser.add_argument(
        "--base-url", required=True, help="the deployment's origin, e.g. https://staging.example"
    )
    parser.add_argument(
        "--api", choices=[*api_names, "all"], default="all", help="which contract (default all)"
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'[API:]NAME: VALUE'",
        help="send on every request, or with an API's name first (unpod:Authorization: jwt "
        "...) on that API's only (repeatable)",
    )
    parser.add_argument(
        "--max-examples", type=int, default=50, help="cases per operation (default 50)"
    )
    parser.add_argument("--seed", type=int, help="generation seed, for a reproducible run")
    parser.add_argument(
        "--junit-xml",
        type=Path,
        help="JUnit XML report, with a testsuite 'coverage' of what each operation answered "
        "(with --api all: one per API, name.<api>.xml)",
    )
    parser.add_argument(
        "--include-operation",
        action="append",
        default=[],
        metavar="ID",
        help="only this operationId",
    )
    parser.add_argument("--workers", type=int, default=1, help="concurrent workers (default 1)")
    parser.add_argument(
        "--require-coverage",
        action="store_true",
        help="exit 1 when an operation never answered a documented 2xx (the run prints, per "
        "operation, the statuses it answered)",
    )


def parse_headers(lines: Sequence[str]) -> dict[str, str]:
    """`["Authorization: jwt x", ...]` as a dict; ValueError naming a line without `:`."""
    headers = {}
    for line in lines:
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"not a 'Name: value' header: {line!r}")
        headers[name.strip()] = value.strip()
    return headers


def headers_by_api(lines: Sequence[str], apis: Sequence[str]) -> dict[str | None, dict[str, str]]:
    """Headers for every API (key None) and for one (key: its name), from lines such as
    `X-Trace: 1` (every API) and `unpod:Authorization: jwt x` (Unpod's only): a line is
    an API's when the text before its first `:` is the name of one of `apis`, so
    `--api all` can send each API its own credential. ValueError as parse_headers.
    """
    scoped: dict[str | None, list[str]] = {None: []}
    for line in lines:
        api, colon, rest = line.partition(":")
        if colon and api.strip() in apis and ":" in rest:
            scoped.setdefault(api.strip(), []).append(rest)
        else:
            scoped[None].append(line)
    return {api: parse_headers(found) for api, found in scoped.items()}


def preflight(target: Target) -> tuple[int, str] | None:
    """None when the deployment answers the API's probe with the given credentials, else
    (exit status, message): UNREACHABLE or CREDENTIALS_REFUSED (401, or 403 on a probe
    every accepted credential may call).
    """
    url = target.api_url + target.probe
    try:
        response = requests.get(url, headers=target.headers, timeout=target.timeout)
    except requests.RequestException as error:
        return UNREACHABLE, f"cannot reach {target.name} at {url}: {error}"
    if response.status_code in (401, 403):
        return (
            CREDENTIALS_REFUSED,
            f"the deployment refused the credentials: GET {url} answered "
            f"{response.status_code} {response.text[:200]!r}. Check --header or ${HEADERS_ENV}.",
        )
    return None


def schemathesis_arguments(
    target: Target, spec: Path, config_file: Path, har: Path | None = None
) -> list[str]:
    """The `st` command line for `target`, its contract at `spec` and its rules in
    `config_file`: every check, both generation modes, all phases; every exchange
    recorded in `har` when given.
    """
    arguments = [
        "--config-file",
        str(config_file),
        "run",
        str(spec),
        "--url",
        target.api_url,
        "--checks",
        "all",
        "--mode",
        "all",
        "--max-examples",
        str(target.max_examples),
        "--workers",
        str(target.workers),
        "--request-timeout",
        str(target.timeout),
    ]
    for name, value in target.headers.items():
        arguments += ["--header", f"{name}: {value}"]
    if target.seed is not None:
        # The seed itself, not --generation-deterministic (which ignores it), and no
        # example database, whose replays would make a second run differ from the first.
        arguments += ["--seed", str(target.seed), "--generation-database", "none"]
    for operation in target.operations:
        arguments += ["--include-operation-id", operation]
    if target.operations:
        # The links run between operations: with some left out, the stateful phase may
        # find none to follow and Schemathesis calls that an error.
        arguments += ["--phases", "examples,coverage,fuzzing"]
    reports = []
    if target.junit_xml is not None:
        reports.append("junit")
        arguments += ["--report-junit-path", str(target.junit_xml)]
    if har is not None:
        reports.append("har")
        arguments += ["--report-har-path", str(har)]
    if reports:
        arguments += ["--report", ",".join(reports)]
    return arguments


def run(target: Target) -> int:
    """Preflight, then Schemathesis against `target`; its output goes to this process's.

    Then prints which statuses each operation answered (`coverage.table`) and adds them
    to the JUnit file as the testsuite `coverage.JUNIT_SUITE`. Returns CONFORMS, DRIFT,
    UNREACHABLE or CREDENTIALS_REFUSED; DRIFT too when it conforms but
    `require_coverage` is set and an operation never answered a documented 2xx.
    """
    refused = preflight(target)
    if refused is not None:
        status, message = refused
        print(f"billing-mock contract-test: {message}", file=sys.stderr)
        return status
    with (
        tempfile.TemporaryDirectory() as scratch,
        target.contract.as_file() as spec,
        resources.as_file(target.config) as config,
    ):
        har = Path(scratch) / "exchanges.har"
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            *schemathesis_arguments(target, spec, config, har),
        ]
        status = subprocess.run(command, check=False).returncode
        rows = _covered(target, har)
    print(f"\nbilling-mock contract-test: what {target.name} answered\n{coverage.table(rows)}")
    verdict = "conforms to" if status == 0 else "DRIFTS from"
    print(f"billing-mock contract-test: {target.api_url} {verdict} {target.contract.name}")
    if status != 0:
        return DRIFT
    if target.require_coverage and not all(row.success_reached for row in rows):
        print(
            f"billing-mock contract-test: {target.name}: an operation never reached a "
            "documented 2xx (--require-coverage)",
            file=sys.stderr,
        )
        return DRIFT
    return CONFORMS


def _covered(target: Target, har: Path) -> list[coverage.OperationCoverage]:
    """What each operation of the run answered (its HAR), added to the JUnit file too."""
    rows = [
        row
        for row in coverage.coverage(
            target.contract,
            target.api_url,
            coverage.statuses_from_har(har) if har.exists() else (),
        )
        if not target.operations or row.operation_id in target.operations
    ]
    if target.junit_xml is not None:
        cases = coverage.junit_cases(rows, required=target.require_coverage)
        junit.add_suite(target.junit_xml, junit.suite(coverage.JUNIT_SUITE, cases))
    return rows
