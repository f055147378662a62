"""Markdown tables in the contracts' descriptions keep their shape in Swagger UI: its
renderer splits a row at every `|`, an escaped one or one in a code span included
(PITFALLS: "A | inside a Markdown table cell breaks the row"), so each row must have as
many cells as its table's header.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import OPENAPI

CONTRACTS = sorted(OPENAPI.glob("*.yaml"))


def _descriptions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def broken_rows(text: str) -> list[str]:
    """Table rows of `text` whose cell count, split at every `|`, is not the header's."""
    broken, width = [], None
    for line in text.splitlines():
        row = line.strip()
        if not row.startswith("|"):
            width = None
            continue
        cells = row.strip("|").split("|")
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            broken.append(row)
    return broken


def test_a_row_with_a_pipe_in_a_code_span_is_found() -> None:
    table = "| a | b |\n|---|---|\n| `x\\|y` | z |\n"
    assert broken_rows(table) == ["| `x\\|y` | z |"]


@pytest.mark.parametrize("path", CONTRACTS, ids=[path.name for path in CONTRACTS])
def test_every_table_row_has_its_headers_cells(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [row for text in _descriptions(document) for row in broken_rows(text)]
    assert not rows, "\n".join(rows)
