"""`billing-mock spec bundle`: one self-contained, valid file per contract."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from billing_mock.cli import main
from billing_mock.contract.bundle import bundle
from billing_mock.contract.documents import Contract
from tests.conftest import OPENAPI


def test_bundle_writes_every_contract_as_yaml_and_json(tmp_path: Path) -> None:
    assert main(["spec", "bundle", "--out", str(tmp_path)]) == 0
    for spec in sorted(OPENAPI.glob("*.yaml")):
        written = yaml.safe_load((tmp_path / spec.name).read_text())
        assert written == yaml.safe_load(spec.read_text())  # local refs kept as they are
        assert json.loads((tmp_path / spec.name.replace(".yaml", ".json")).read_text()) == written


def test_bundle_inlines_a_reference_to_another_file(tmp_path: Path) -> None:
    (tmp_path / "money.yaml").write_text(
        "Money:\n  type: string\n  description: Major units.\n  pattern: '^[0-9]+$'\n"
    )
    document = {
        "openapi": "3.0.4",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Price": {"$ref": "money.yaml#/Money"}}},
    }
    (tmp_path / "api.yaml").write_text(yaml.safe_dump(document))
    bundled = bundle(Contract.from_path(tmp_path / "api.yaml"))
    assert bundled["components"]["schemas"]["Price"] == {
        "type": "string",
        "description": "Major units.",
        "pattern": "^[0-9]+$",
    }
