"""What the proxy saw, bounded: counters per operation and rule, the first few examples
each, one log line per violation with a `curl` that reproduces it; JSON and JUnit out.
"""

from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from billing_mock.contract import junit
from billing_mock.contract.documents import Contract, Operation
from billing_mock.proxy.checks import RULES, Sent, Violation

EXAMPLES_PER_RULE = 3
"""Examples kept per operation and rule; the counters go on counting past them."""

CURL_BODY = 4096
"""Bytes of a request body written into a `curl` line; a longer one is left out (said so)."""

SECRET_HEADER = re.compile(r"authorization|cookie|token|secret|api-?key|password", re.IGNORECASE)
"""Header names whose values are masked in log lines and reports unless --show-secrets."""

MASK = "[masked]"

JSON_FILE = "proxy-report.json"
JUNIT_FILE = "proxy-junit.xml"

UNDOCUMENTED = "(undocumented)"
"""The row of requests to no operation (undocumented paths and methods) of an API."""

OUTSIDE = "(outside)"
"""The API name of requests under no proxied API's base path."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request through the proxy and what answered it.

    api         the API's name, or None: under no proxied API
    operation   the operation it called, or None: none documented (or a CORS preflight)
    url         the upstream URL it was forwarded to
    forwarded   the headers as forwarded, in order
    source      who answered: "upstream", "mock" (--fallback mock) or "proxy" (its own
                502/504 when the upstream could not be asked)
    """

    api: str | None
    operation: Operation | None
    sent: Sent
    url: str
    forwarded: Sequence[tuple[str, str]]
    status: int
    source: str
    violations: Sequence[Violation]


@dataclass(slots=True)
class _Row:
    api: str
    operation_id: str | None
    method: str
    path: str
    exchanges: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "exchanges": self.exchanges,
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "violations": {rule: self.rules[rule] for rule in RULES if self.rules[rule]},
            "sources": dict(sorted(self.sources.items())),
            "examples": self.examples,
        }


class Report:
    """Everything the proxy saw since it started, bounded: one row per operation of the
    proxied contracts (plus one per API for undocumented requests and one for requests
    under none), each with counters and at most EXAMPLES_PER_RULE examples per rule.
    """

    def __init__(
        self, upstream: str, apis: Iterable[tuple[str, Contract]], *, show_secrets: bool = False
    ) -> None:
        self.upstream = upstream
        self.show_secrets = show_secrets
        self._rows: dict[tuple[str, str | None], _Row] = {}
        self.apis = []
        for name, contract in apis:
            self.apis.append(name)
            for operation in contract.operations.values():
                self._rows[(name, operation.operation_id)] = _Row(
                    name, operation.operation_id, operation.method.upper(), operation.path
                )
        self.totals: Counter[str] = Counter()

    def record(self, exchange: Exchange) -> list[str]:
        """Count `exchange`; the log lines of its violations (one each)."""
        row = self._row(exchange)
        row.exchanges += 1
        row.statuses[exchange.status] += 1
        row.sources[exchange.source] += 1
        self.totals["exchanges"] += 1
        self.totals["violations"] += len(exchange.violations)
        self.totals["with_violations"] += bool(exchange.violations)
        self.totals[f"from_{exchange.source}"] += 1
        if not exchange.violations:
            return []
        reproduce = self.curl(exchange)
        lines = []
        for violation in exchange.violations:
            row.rules[violation.rule] += 1
            if sum(e["rule"] == violation.rule for e in row.examples) < EXAMPLES_PER_RULE:
                row.examples.append(_example(exchange, violation, reproduce))
            lines.append(_line(exchange, row, violation, reproduce))
        return lines

    def _row(self, exchange: Exchange) -> _Row:
        api = exchange.api or OUTSIDE
        operation_id = exchange.operation.operation_id if exchange.operation else None
        row = self._rows.get((api, operation_id))
        if row is None:
            row = self._rows[(api, None)] = _Row(api, None, "*", UNDOCUMENTED)
        return row

    def curl(self, exchange: Exchange) -> str:
        """A `curl` command that sends `exchange`'s request to the upstream again, secrets
        masked unless `show_secrets`; a body over CURL_BODY bytes (or not read) left out.
        """
        parts = ["curl", "-X", exchange.sent.method, exchange.url]
        for name, value in exchange.forwarded:
            if name.lower() in ("content-length", "host"):
                continue
            shown = value if self.show_secrets or not SECRET_HEADER.search(name) else _masked(value)
            parts += ["-H", f"{name}: {shown}"]
        body = exchange.sent.body
        command = shlex.join(parts)
        if body is None or len(body) > CURL_BODY:
            return command + "  # request body not shown (over the size shown)"
        if body:
            text = body.decode("utf-8", errors="backslashreplace")
            command += " --data-binary " + shlex.quote(text)
        return command

    def as_json(self) -> dict[str, Any]:
        """The report: upstream, APIs, totals, violations per rule, every row."""
        rules: Counter[str] = Counter()
        for row in self._rows.values():
            rules.update(row.rules)
        return {
            "upstream": self.upstream,
            "apis": self.apis,
            "secrets": "shown" if self.show_secrets else "masked",
            "totals": {
                key: self.totals[key]
                for key in ("exchanges", "with_violations", "violations", "from_mock", "from_proxy")
            },
            "violations": {rule: rules[rule] for rule in RULES if rules[rule]},
            "operations": [row.as_json() for row in self._rows.values()],
        }

    def junit_suites(self) -> list[ET.Element]:
        """One testsuite per API (`proxy.<api>`): a testcase per operation, failed when it
        had violations, skipped when no traffic reached it.
        """
        by_api: dict[str, list[junit.Case]] = {}
        for row in self._rows.values():
            by_api.setdefault(row.api, []).append(_case(row))
        return [junit.suite(f"proxy.{api}", cases) for api, cases in by_api.items()]

    def write(self, directory: Path) -> list[Path]:
        """JSON_FILE and JUNIT_FILE in `directory` (made if missing); OSError as writing does."""
        directory.mkdir(parents=True, exist_ok=True)
        report = directory / JSON_FILE
        report.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")
        tests = directory / JUNIT_FILE
        tests.unlink(missing_ok=True)
        for suite in self.junit_suites():
            junit.add_suite(tests, suite)
        return [report, tests]


def _masked(value: str) -> str:
    """`jwt eyJ...` as `jwt [masked]`: the scheme word stays, so a reader knows which."""
    scheme, space, _ = value.partition(" ")
    return f"{scheme} {MASK}" if space and scheme.isalpha() else MASK


def _example(exchange: Exchange, violation: Violation, reproduce: str) -> dict[str, Any]:
    query = f"?{exchange.sent.query}" if exchange.sent.query else ""
    return {
        "rule": violation.rule,
        "location": violation.location,
        "path": violation.path,
        "message": violation.message,
        "status": exchange.status,
        "source": exchange.source,
        "request": f"{exchange.sent.method} {exchange.sent.path}{query}",
        "curl": reproduce,
    }


def _line(exchange: Exchange, row: _Row, violation: Violation, reproduce: str) -> str:
    operation = row.operation_id or UNDOCUMENTED
    return (
        f"violation {row.api} {operation} {violation.rule} {violation.location} "
        f"{violation.path}: {violation.message} [{exchange.status} from {exchange.source}] "
        f"reproduce: {reproduce}"
    )


def _case(row: _Row) -> junit.Case:
    properties = {
        "operationId": row.operation_id or UNDOCUMENTED,
        "exchanges": str(row.exchanges),
        **{f"status.{code}": str(count) for code, count in sorted(row.statuses.items())},
        **{f"violations.{rule}": str(count) for rule, count in row.rules.items()},
    }
    failure = skipped = None
    if row.rules:
        failure = ", ".join(f"{rule} ({count})" for rule, count in row.rules.items())
    elif not row.exchanges:
        skipped = "no traffic reached this operation through the proxy"
    detail = "\n".join(
        f"{e['rule']} {e['location']} {e['path']}: {e['message']}\n  {e['curl']}"
        for e in row.examples
    )
    return junit.Case(
        name=f"{row.method} {row.path}",
        classname=f"proxy.{row.api}",
        properties=properties,
        failure=failure,
        skipped=skipped,
        detail=detail,
    )
