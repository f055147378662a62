"""The Razorpay Checkout stand-in in real Chromium: `tests/browser/checkout.spec.mjs`
(playwright-core driving Debian's /usr/bin/chromium) on `tests/browser/checkout.html`,
served by `python -m http.server` from another loopback port than `billing-mock serve`.

`make test` installs what it needs first (`tests/browser/setup.sh`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.browser import BROWSER, node, run_spec
from tests.e2e.test_serve import _free_port, serving, wait_until_answering

SPEC = BROWSER / "checkout.spec.mjs"
PAGE = BROWSER / "checkout.html"

__all__ = ["node"]  # the fixture, imported for pytest to find

EVERY_CHECK = (
    "the page and the mock are on different origins",
    "open() shows the order's amount and currency",
    "focus starts on Pay, stays in the modal, and Tab cycles its buttons",
    "Fail fires payment.failed with Razorpay's error object, and nothing changes",
    "Cancel calls ondismiss, closes the modal, and nothing changes",
    "Escape is Cancel",
    "Pay calls handler with Razorpay's three fields; the page's confirm activates",
    "markup in the options is shown as text, never run",
    "no console error",
)


@contextmanager
def static_page(folder: Path) -> Iterator[str]:
    """`python -m http.server` serving `folder` on a free loopback port; yields its origin."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(origin, process, 10, lambda: "python -m http.server did not answer")
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_checkout_pay_fail_and_cancel_work_from_another_origin(node: str, tmp_path: Path) -> None:
    shutil.copy(PAGE, tmp_path / PAGE.name)
    with serving(42) as mock, static_page(tmp_path) as page:
        checks = run_spec(node, SPEC, f"{page}/{PAGE.name}", mock, timeout=60)
    assert checks == list(EVERY_CHECK)
