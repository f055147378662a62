"""The README's Razorpay walkthrough, run as written against a real server, twice in a
row: it makes its own sandbox, so the second run answers as the first (no 409 for a
payment id already used, no traceback from a field an error answer lacks).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e.test_serve import serving

SECTION = "## Razorpay-backed subscription billing"
README_ORIGIN = "http://127.0.0.1:8000"


def walkthrough() -> str:
    """The section's first shell script (the one that makes its sandbox)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    found = re.search(r"```sh\n(M=http://127\.0\.0\.1:8000\n.*?)```", section, re.DOTALL)
    assert found, "the Razorpay section lost its walkthrough"
    return found.group(1)


def test_the_razorpay_walkthrough_runs_twice_with_the_same_answers(tmp_path: Path) -> None:
    script = walkthrough()
    with serving(42) as origin:
        runs = [
            subprocess.run(
                ["bash", "-e", "-c", script.replace(README_ORIGIN, origin)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                cwd=tmp_path,
            )
            for _ in range(2)
        ]
    for run in runs:
        assert (run.returncode, run.stderr) == (0, "")
    assert runs[0].stdout == runs[1].stdout
    lines = runs[0].stdout.splitlines()
    assert lines[:3] == ["cancelled", "754.26", "active"]
    assert lines[-2:] == ["cancelled", "subscription_ended"]
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "payments.csv").read_text().startswith("payment_id,")
