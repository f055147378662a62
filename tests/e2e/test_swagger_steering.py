"""Steering from Swagger UI in real Chromium: `tests/browser/swagger-steering.spec.mjs`
(playwright-core driving Debian's /usr/bin/chromium) against `billing-mock serve`.

`make test` installs what it needs first (`tests/browser/setup.sh`).
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.browser import BROWSER, PNG, node, run_spec
from tests.e2e.test_serve import serving

SPEC = BROWSER / "swagger-steering.spec.mjs"

__all__ = ["node"]  # the fixture, imported for pytest to find

CHECKS = (
    "the bar lists the contract's codes and named examples, and the scenarios",
    "the first operation shows on the first screen, under a long description",
    "Prefer code=404 is sent and the steered 404 is shown",
    "a named example sets its code and answers that example",
    "X-Mock-Scenario failed-payment shows the subscription pending",
    "a sandbox name that the server would refuse is marked invalid",
    "X-Mock-Sandbox is sent: the request is in that sandbox's journal",
    "the spec is fetched without steering headers",
    "the page could be driven to the end",
    "no console error",
    "no request to another origin",
)


def test_a_person_steers_the_mock_from_swagger_ui_in_chromium(node: str, tmp_path: Path) -> None:
    screenshot = tmp_path / "swagger-steering.png"
    with serving(42) as origin:
        checks = run_spec(node, SPEC, origin, "--screenshot", str(screenshot), timeout=120)
    assert checks == list(CHECKS)
    assert screenshot.read_bytes().startswith(PNG)
