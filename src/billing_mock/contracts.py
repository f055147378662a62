"""The contracts in `openapi/`, each parsed once per process and shared by every reader."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from billing_mock.yaml_loading import safe_load

OPENAPI_DIR = Path(__file__).resolve().parents[2] / "openapi"
"""The contracts: `openapi/` at the project root."""


@cache
def document(spec: str) -> dict[str, Any]:
    """The contract file `spec` (e.g. `unpod-billing.yaml`) as parsed YAML; do not mutate it."""
    parsed: dict[str, Any] = safe_load((OPENAPI_DIR / spec).read_bytes())
    return parsed
