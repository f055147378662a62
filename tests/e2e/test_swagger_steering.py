"""Steering from Swagger UI in real Chromium: `tests/browser/swagger-steering.spec.mjs`
(playwright-core driving Debian's /usr/bin/chromium) against `billing-mock serve`.

`make test` installs what it needs first (`tests/browser/setup.sh`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import BROWSER, PNG
from tests.e2e.test_serve import serving

SPEC = BROWSER / "swagger-steering.spec.mjs"

node = test_dashboard.node
"""The node binary once the browser tests' setup is there (the dashboard's fixture)."""

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
        run = subprocess.run(
            [node, str(SPEC), origin, "--screenshot", str(screenshot)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            check=False,
        )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(r"^\d+ passed, 0 failed$", run.stdout, re.MULTILINE), output
    assert [line for line in run.stdout.splitlines() if line.startswith("ok ")] == [
        f"ok {name}" for name in CHECKS
    ]
    assert screenshot.read_bytes().startswith(PNG)
