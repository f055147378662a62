"""The README's "Time travel" walkthrough, run as written against a real server, twice:
the same output both times, the one the README shows, and `default` left as it was.
"""

from __future__ import annotations

import re
import subprocess

import requests

from tests.conftest import ROOT
from tests.e2e.test_serve import serving

SECTION = "### Time travel (the billing clock)"
README_ORIGIN = "http://127.0.0.1:8000"


def walkthrough() -> tuple[str, str]:
    """The section's shell script and the output the README says it prints."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    script = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    printed = re.search(r"It prints, every time:\n\n```text\n(.*?)```", section, re.DOTALL)
    assert script, "the Time travel section lost its script"
    assert printed, "the Time travel section lost the output it shows"
    return script.group(1), printed.group(1)


def test_the_time_travel_walkthrough_runs_as_written_twice() -> None:
    script, printed = walkthrough()
    assert README_ORIGIN in script
    with serving(42) as origin:
        runs = [
            subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", script.replace(README_ORIGIN, origin)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            for _ in range(2)
        ]
        control = {"X-Mock-Control-Token": "local"}
        clock = requests.get(f"{origin}/__mock/clock", headers=control, timeout=5).json()
    for run in runs:
        assert (run.returncode, run.stderr) == (0, "")
        assert run.stdout == printed
    assert clock["now"] == "2026-11-15T09:30:00Z"  # default's clock never moved
