"""`billing-mock spec bundle`: each contract as one self-contained file for the docs site.

Local `$ref`s (`#/components/...`) stay as they are, since every renderer resolves them
and they keep the reference readable; a `$ref` to another file is inlined, since a
docs site gets one file per API. Each bundle is validated before it is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from openapi_spec_validator import validate

from billing_mock.contract.documents import Contract


def bundle(contract: Contract) -> dict[str, Any]:
    """`contract` with every external `$ref` inlined (files beside it); validated as OpenAPI.

    Raises OSError for an unreadable referenced file, yaml.YAMLError, and
    openapi_spec_validator's validation errors for an invalid result.
    """
    document: dict[str, Any] = _inline(contract.document, contract.directory)
    validate(document)
    return document


def write_bundles(contracts: Iterable[Contract], out: Path) -> list[Path]:
    """Write `<stem>.yaml` and `<stem>.json` for each contract into `out`; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in contracts:
        document = bundle(contract)
        stem = contract.stem
        as_yaml, as_json = out / f"{stem}.yaml", out / f"{stem}.json"
        as_yaml.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
        as_json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written += [as_yaml, as_json]
    return written


def _load(path: Traversable) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _inline(node: Any, base: Traversable) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and not reference.startswith("#"):
            target, _, pointer = reference.partition("#")
            found = _load(base / target)
            for part in filter(None, pointer.split("/")):
                found = found[part.replace("~1", "/").replace("~0", "~")]
            folder = base
            for part in PurePosixPath(target).parent.parts:
                folder = folder / part
            return _inline(found, folder)
        return {key: _inline(value, base) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    return node
