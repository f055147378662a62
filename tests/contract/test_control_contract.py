"""Schemathesis against the control contract (`/__mock`), on an app with a control token.

Every default check applies, with response validation on in the app: `ignored_auth`
proves a missing or wrong token is refused. Each test runs twice: once as generated
(handles no fixture organisation has: the 404 and 400 paths), once with valid cases
pinned to a fixture organisation (the 200 paths: a real state view, a real reset).
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.settings import Settings
from tests.contract.test_contracts import load

TOKEN = "test-token"
HEADERS = {"X-Mock-Control-Token": TOKEN}
HANDLES = ("recalll.co", "northwind.io", "tinylabs.dev", "sakura.jp", "lumen.studio")

control = load(
    "control", create_app(load_stores(42), Settings(control_token=TOKEN), validate_responses=True)
)
# Like every API of the mock, the control API ignores query parameters its contract does
# not declare (OpenAPI has no way to say they are refused), so an undeclared one is not
# invalid input: without this, a negative case whose only other fault is the missing
# token, which `call_and_validate` then adds, counts as "schema-violating request
# accepted" (schemathesis/schemathesis#3730).
control.config.generation.update(allow_extra_parameters=False)


def _pin(case: schemathesis.Case) -> None:
    """Point a valid case at a fixture organisation, chosen from its own data."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return  # pinning an invalid case could make it valid
    pick = HANDLES[sum(map(ord, repr(case.query) + repr(case.path_parameters))) % len(HANDLES)]
    if case.path_parameters and "handle" in case.path_parameters:
        case.path_parameters["handle"] = pick
    if case.query and "organisation" in case.query:
        case.query["organisation"] = pick


@pytest.mark.parametrize("pinned", [False, True], ids=["as-generated", "fixture-organisation"])
@control.parametrize()
def test_control(case: schemathesis.Case, pinned: bool) -> None:
    if pinned:
        _pin(case)
    case.call_and_validate(headers=HEADERS)
