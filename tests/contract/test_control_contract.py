"""Schemathesis against the control contract (`/__mock`), on an app with a control token.

Every default check applies, with response validation on in the app: `ignored_auth`
proves a missing or wrong token is refused. Each test runs twice: once as generated
(handles no fixture organisation has, sandboxes that do not exist: the 404 and 400
paths), once with valid cases pinned (the 200, 201 and 204 paths: a real state view, a
real reset, a sandbox made with fixture organisations in scenarios, one read or deleted
that exists, `default` refused with 409).
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode

from billing_mock.app import create_app
from billing_mock.data.stores import DEFAULT_SANDBOX, load_stores
from billing_mock.settings import Settings
from tests.contract.test_contracts import load

TOKEN = "test-token"
HEADERS = {"X-Mock-Control-Token": TOKEN}
HANDLES = ("recalll.co", "northwind.io", "tinylabs.dev", "sakura.jp", "lumen.studio")

stores = load_stores(42)
control = load(
    "control", create_app(stores, Settings(control_token=TOKEN), validate_responses=True)
)
# Like every API of the mock, the control API ignores query parameters its contract does
# not declare (OpenAPI has no way to say they are refused), so an undeclared one is not
# invalid input: without this, a negative case whose only other fault is the missing
# token, which `call_and_validate` then adds, counts as "schema-violating request
# accepted" (schemathesis/schemathesis#3730).
control.config.generation.update(allow_extra_parameters=False)


def _pin(case: schemathesis.Case) -> None:
    """Point a valid case at fixture organisations and existing sandboxes, chosen from
    its own data so it is stable.
    """
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return  # pinning an invalid case could make it valid
    # Not repr(case.body): a case without one holds NOT_SET, whose repr is its address.
    body = repr(case.body) if isinstance(case.body, dict | list) else ""
    digest = sum(map(ord, repr(case.query) + repr(case.path_parameters) + body))
    pick = HANDLES[digest % len(HANDLES)]
    if case.path_parameters and "handle" in case.path_parameters:
        case.path_parameters["handle"] = pick
    if case.query and "organisation" in case.query:
        case.query["organisation"] = pick
    if isinstance(case.body, dict) and isinstance(case.body.get("scenarios"), dict):
        # A handle for each scenario, in turn from the one picked: no 404 for a handle.
        start = HANDLES.index(pick)
        names = case.body["scenarios"].values()
        case.body["scenarios"] = {
            HANDLES[(start + index) % len(HANDLES)]: name for index, name in enumerate(names)
        }
    if case.path_parameters and "name" in case.path_parameters:
        if digest % 4 == 0:
            case.path_parameters["name"] = DEFAULT_SANDBOX  # read, or kept (409)
        elif case.method in ("GET", "DELETE") and case.path_parameters["name"] != DEFAULT_SANDBOX:
            stores.put(case.path_parameters["name"])  # so the read or the delete finds it


@pytest.mark.parametrize("pinned", [False, True], ids=["as-generated", "fixture-organisation"])
@control.parametrize()
def test_control(case: schemathesis.Case, pinned: bool) -> None:
    if pinned:
        _pin(case)
    case.call_and_validate(headers=HEADERS)
