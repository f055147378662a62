"""What a contract-test run covered: the statuses each operation answered, from the run's HAR.

"Conforms" says nothing of what was never tried: with an Owner's key, the Super-Admin
operations only ever answer 403, so their success bodies are never checked. This reads
every exchange Schemathesis recorded (its `--report har`), maps each to its operation by
method and path template, and says, per operation, which statuses it answered and
whether one of its documented 2xx responses was ever reached.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from billing_mock.contract.documents import Contract
from billing_mock.contract.junit import Case

JUNIT_SUITE = "coverage"
"""The name of the testsuite `junit_cases` go in, beside Schemathesis' own."""


@dataclass(frozen=True, slots=True)
class OperationCoverage:
    """One operation of the contract: the statuses it answered in the run (status -> count)."""

    operation_id: str
    method: str
    path: str
    documented_success: tuple[str, ...]
    """Its documented 2xx statuses (`"200"`, `"201"`)."""
    seen: Mapping[int, int]

    @property
    def success_reached(self) -> bool:
        """Whether any documented 2xx was answered (none documented: True)."""
        if not self.documented_success:
            return True
        return any(str(status) in self.documented_success for status in self.seen)


def statuses_from_har(har: Path) -> list[tuple[str, str, int]]:
    """(method, URL, status) of every exchange in a HAR file (Schemathesis `--report har`).

    Raises OSError and ValueError (not JSON) as reading and json do.
    """
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    return [
        (entry["request"]["method"], entry["request"]["url"], int(entry["response"]["status"]))
        for entry in entries
    ]


def coverage(
    contract: Contract, api_url: str, exchanges: Iterable[tuple[str, str, int]]
) -> list[OperationCoverage]:
    """Per operation of `contract`, in its order, the statuses it answered among
    `exchanges` (method, URL, status) made under `api_url` (the API's root); exchanges
    outside it or on no operation are not counted.
    """
    root = urlsplit(api_url).path.rstrip("/")
    seen: dict[str, Counter[int]] = {
        operation_id: Counter() for operation_id in contract.operations
    }
    for method, url, status in exchanges:
        path = urlsplit(url).path
        if not path.startswith(root):
            continue
        operation = contract.operation_at(method, path[len(root) :] or "/")
        if operation is not None:
            seen[operation.operation_id][status] += 1
    return [
        OperationCoverage(
            operation.operation_id,
            operation.method.upper(),
            operation.path,
            tuple(code for code in operation.responses if code.startswith("2")),
            dict(sorted(seen[operation.operation_id].items())),
        )
        for operation in contract.operations.values()
    ]


def table(rows: Iterable[OperationCoverage]) -> str:
    """The coverage as a Markdown table, then one warning line per operation whose
    documented 2xx was never reached.
    """
    rows = list(rows)
    lines = ["| operation | documented 2xx | statuses seen (count) |", "|---|---|---|"]
    for row in rows:
        seen = _seen(row)
        mark = "" if row.success_reached else " **2xx never reached**"
        lines.append(
            f"| {row.method} {row.path} (`{row.operation_id}`) "
            f"| {', '.join(row.documented_success) or '-'} | {seen}{mark} |"
        )
    lines += [f"warning: {_never_reached(row)}" for row in rows if not row.success_reached]
    return "\n".join(lines)


def junit_cases(rows: Iterable[OperationCoverage], required: bool) -> list[Case]:
    """One JUnit testcase per operation, named as Schemathesis names its own (`GET /path`):
    the statuses seen as properties (`status.200` -> count) and in `<system-out>`; an
    operation whose documented 2xx was never reached is a failure when `required`
    (`--require-coverage`), else skipped, with the warning `table` prints.
    """
    cases = []
    for row in rows:
        seen = _seen(row)
        warning = None if row.success_reached else _never_reached(row)
        cases.append(
            Case(
                name=f"{row.method} {row.path}",
                classname=JUNIT_SUITE,
                properties={
                    "operationId": row.operation_id,
                    "documented-2xx": ",".join(row.documented_success) or "-",
                    **{f"status.{status}": str(count) for status, count in row.seen.items()},
                },
                output=f"statuses seen (count): {seen}",
                failure=warning if required else None,
                skipped=None if required else warning,
            )
        )
    return cases


def _seen(row: OperationCoverage) -> str:
    return ", ".join(f"{status} ({count})" for status, count in row.seen.items()) or "none"


def _never_reached(row: OperationCoverage) -> str:
    return (
        f"{row.method} {row.path} ({row.operation_id}) never answered a documented "
        f"2xx ({', '.join(row.documented_success)}): its success responses were not checked"
    )
