"""The dashboard in real Chromium: `tests/browser/dashboard.spec.mjs` (playwright-core
driving Debian's /usr/bin/chromium) against `billing-mock serve`, with and without a
control token.

`make test` installs what it needs first (`tests/browser/setup.sh`). The screenshots go
to a temporary folder, or to `$DASHBOARD_SCREENSHOTS` (`make screenshots`: `docs/`).
"""

from __future__ import annotations

import os
from pathlib import Path

import requests

from tests.e2e.browser import BROWSER, PNG, node, run_spec
from tests.e2e.test_serve import serving

__all__ = ["node"]  # the fixture, imported for pytest to find

SPEC = BROWSER / "dashboard.spec.mjs"
SCREENSHOTS = "DASHBOARD_SCREENSHOTS"

EVERY_PART = (
    "the page lists the four APIs with Swagger UI and contract links",
    "the page lists the fixture organisations with a credential per role",
    "a request made outside the page appears in the journal within seconds",
    "a journal entry opens from the keyboard, its secrets masked",
    "markup sent to the mock is shown as text, never run",
    "a sandbox is created from the page with a scenario",
    "/?sandbox=<name> opens the sandbox with its clock",
    "after a clock move the timeline shows invoice.created and payment events",
    "a duration typed in the field moves the clock",
    "reset from the page puts the sandbox back at its start",
    "delete from the page drops the sandbox",
    "the page could be driven to the end",
    "no console error",
    "no request to another origin",
)
WITH_A_TOKEN = (
    "without the token the page says the control API refused it",
    "with the token pasted in the field, the page loads",
    "the token is kept for this tab only, not in localStorage",
    "the page could be driven to the end",
    "no request to another origin",
)


def test_every_part_of_the_dashboard_works_in_chromium(node: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get(SCREENSHOTS) or tmp_path)
    with serving(42) as origin:
        checks = run_spec(node, SPEC, origin, "--screenshots", str(shots))
    assert checks == list(EVERY_PART)
    for name in ("dashboard.png", "timeline.png", "journal.png"):
        image = (shots / name).read_bytes()
        assert image.startswith(PNG)
        assert len(image) > 20_000, name  # a page, not a blank


def test_with_a_control_token_the_page_asks_for_it(node: str) -> None:
    with serving(42, "--control-token", "dashboard-e2e-token") as origin:
        checks = run_spec(node, SPEC, origin, "--token", "dashboard-e2e-token")
    assert checks == list(WITH_A_TOKEN)


def test_serve_keeps_as_many_requests_as_journal_size_says() -> None:
    headers = {"X-API-Key": "bmk_30ad7e29f4ae54bbc956d62580a5a9ad"}
    with serving(42, "--journal-size", "2") as origin:
        for index in range(3):
            requests.get(
                f"{origin}/api/billing/subscription/me?n={index}", headers=headers, timeout=10
            )
        listed = requests.get(
            f"{origin}/__mock/requests", headers={"X-Mock-Control-Token": "local"}, timeout=10
        ).json()
    assert listed["capacity"] == 2
    assert [entry["query"] for entry in listed["requests"]] == ["n=2", "n=1"]
