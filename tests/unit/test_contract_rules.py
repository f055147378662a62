"""openapi/schemathesis.toml: Schemathesis reads it; each rule names a real contract and operation.

A `[[project]]` applies to the contract whose `info.title` it names, and an
`include-operation-id` to that operationId: a typo in either makes the rule silently
apply to nothing, so both are checked against the contracts here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from schemathesis.config import SchemathesisConfig

from billing_mock.apis.registry import api_named, contract_tested
from billing_mock.contract import runner
from tests.conftest import OPENAPI

RULES = OPENAPI / runner.RULES_FILE


def test_the_shipped_rules_are_the_file_beside_the_contracts() -> None:
    assert Path(str(runner.rules())).resolve() == RULES.resolve()
    assert runner.rules().is_file()


def test_schemathesis_loads_the_rules_per_contract_title() -> None:
    config = SchemathesisConfig.from_path(str(RULES))
    razorpay = api_named("razorpay").contract
    project = config.projects.get(razorpay.document)
    assert project is not config.projects.default
    assert len(project.operations.operations) == 3


def test_every_project_and_operation_in_the_rules_exists() -> None:
    titles = {api.contract.document["info"]["title"]: api.contract for api in contract_tested()}
    rules = tomllib.loads(RULES.read_text(encoding="utf-8"))
    assert set(rules) == {"project"}, "rules go under a contract's [[project]], not for all"
    for project in rules["project"]:
        assert project["title"] in titles, f"no contract is titled {project['title']!r}"
        contract = titles[project["title"]]
        for operation in project.get("operations", []):
            assert operation["include-operation-id"] in contract.operations


def test_contract_test_hands_schemathesis_the_rules(tmp_path: Path) -> None:
    api = api_named("razorpay")
    target = runner.Target(
        name=api.name,
        contract=api.contract,
        base_path=api.base_path,
        probe=api.probe,
        base_url="http://deploy.test",
    )
    arguments = runner.schemathesis_arguments(target, tmp_path / "spec.yaml", RULES)
    assert arguments[:3] == ["--config-file", str(RULES), "run"]
