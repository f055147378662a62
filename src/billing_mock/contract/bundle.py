"""`billing-mock spec bundle`: each contract as one self-contained file for the docs site.

Local `$ref`s (`#/components/...`) stay as they are, since every renderer resolves them
and they keep the reference readable; a `$ref` to another file is inlined, since a
docs site gets one file per API. Each bundle is validated before it is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate


def bundle(spec: Path) -> dict[str, Any]:
    """The contract at `spec` with every external `$ref` inlined; validated as OpenAPI.

    Raises OSError for an unreadable file, yaml.YAMLError, and
    openapi_spec_validator's validation errors for an invalid result.
    """
    document: dict[str, Any] = _inline(_load(spec), spec.parent)
    validate(document)
    return document


def write_bundles(specs: list[Path], out: Path) -> list[Path]:
    """Write `<name>.yaml` and `<name>.json` for each spec into `out`; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in specs:
        document = bundle(spec)
        stem = spec.name.removesuffix(".yaml")
        as_yaml, as_json = out / f"{stem}.yaml", out / f"{stem}.json"
        as_yaml.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
        as_json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written += [as_yaml, as_json]
    return written


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _inline(node: Any, base: Path) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and not reference.startswith("#"):
            target, _, pointer = reference.partition("#")
            found = _load(base / target)
            for part in filter(None, pointer.split("/")):
                found = found[part.replace("~1", "/").replace("~0", "~")]
            return _inline(found, (base / target).parent)
        return {key: _inline(value, base) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    return node
