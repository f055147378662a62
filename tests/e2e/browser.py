"""What the browser tests share: the `node` fixture (once `tests/browser/setup.sh` has
installed Chromium and playwright-core) and running one spec of `tests/browser/`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

BROWSER = ROOT / "tests" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, once the browser tests' setup is there; a failure says how."""
    found = shutil.which("node")
    missing = [
        what
        for what, there in (
            ("node", found is not None),
            (str(CHROMIUM), CHROMIUM.exists()),
            ("tests/browser/node_modules", (BROWSER / "node_modules" / "playwright-core").is_dir()),
        )
        if not there
    ]
    if missing or found is None:
        pytest.fail(
            f"missing {', '.join(missing)}: run `bash tests/browser/setup.sh` (make test does)"
        )
    return found


def run_spec(node: str, spec: Path, *arguments: str, timeout: float = 180) -> list[str]:
    """Run `spec` with `arguments`, check it passed whole (exit 0, `N passed, 0 failed`),
    and return the checks it passed (`ok <check>` lines, without the `ok `), in order.
    """
    run = subprocess.run(
        [node, str(spec), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(r"^\d+ passed, 0 failed$", run.stdout, re.MULTILINE), output
    return [line.removeprefix("ok ") for line in run.stdout.splitlines() if line.startswith("ok ")]
