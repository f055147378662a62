"""Every contract in openapi/ is a valid OpenAPI document with docs-site quality basics."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from tests.conftest import OPENAPI

SPECS = sorted(OPENAPI.glob("*.yaml"))
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_spec_is_valid_openapi_3_0(path: Path) -> None:
    spec = yaml.safe_load(path.read_text())
    assert spec["openapi"].startswith("3.0.")
    validate(spec)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_operation_is_documented(path: Path) -> None:
    spec = yaml.safe_load(path.read_text())
    responses = spec.get("components", {}).get("responses", {})
    operation_ids = []
    for route, method, operation in _operations(spec):
        where = f"{method.upper()} {route}"
        for key in ("operationId", "summary", "description", "tags"):
            assert operation.get(key), f"{where}: no {key}"
        operation_ids.append(operation["operationId"])
        for status, response in operation["responses"].items():
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[1]]
            for media in response.get("content", {}).values():
                assert media.get("examples") or media.get("example"), (
                    f"{where} {status}: no example"
                )
    assert len(operation_ids) == len(set(operation_ids))
