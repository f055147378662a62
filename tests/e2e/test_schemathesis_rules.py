"""QA's own `st run` finds openapi/schemathesis.toml by itself and judges as contract-test does.

createCheckout refuses a schema-valid coupon code that does not exist (400, a business
rule the schema cannot express). Without the rules file, Schemathesis calls that a
rejected valid request; with it beside the contract (as in `openapi/`), a plain `st run`
passes, and so does `billing-mock contract-test`, which hands Schemathesis the same file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from tests.conftest import OPENAPI
from tests.e2e.test_contract_test import RAZORPAY_KEY, contract_test, serving

ST = Path(sys.executable).parent / "st"
CONTRACT = "razorpay-billing.yaml"


def plain_st_run(folder: Path, origin: str) -> subprocess.CompletedProcess[str]:
    """`st run` as QA types it, from `folder` (which holds the contract)."""
    command = [
        str(ST),
        "run",
        CONTRACT,
        "--url",
        f"{origin}/api/billing",
        "--header",
        f"X-API-Key: {RAZORPAY_KEY}",
        "--header",
        "X-Mock-Sandbox: st-rules",
        "--include-operation-id",
        "createCheckout",
        "--max-examples",
        "10",
        "--seed",
        "1",
        "--generation-database",
        "none",
        "--phases",
        "examples,coverage,fuzzing",
    ]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=folder, timeout=120, check=False
    )


def _folder(root: Path, with_rules: bool) -> Path:
    folder = root / ("with-rules" if with_rules else "without-rules")
    folder.mkdir()
    shutil.copy(OPENAPI / CONTRACT, folder)
    if with_rules:
        shutil.copy(OPENAPI / "schemathesis.toml", folder)
    return folder


def test_plain_st_run_with_the_rules_agrees_with_contract_test(tmp_path: Path) -> None:
    with serving(create_app(load_stores(42))) as origin:
        bare = plain_st_run(_folder(tmp_path, with_rules=False), origin)
        ruled = plain_st_run(_folder(tmp_path, with_rules=True), origin)
        ours = contract_test(
            origin,
            "--api",
            "razorpay",
            "--header",
            f"X-API-Key: {RAZORPAY_KEY}",
            "--include-operation",
            "createCheckout",
        )
    assert bare.returncode == 1, bare.stdout
    assert "Schema-valid request rejected" in bare.stdout
    assert ruled.returncode == 0, ruled.stdout
    assert re.search(r"Configuration:\s+\S*with-rules/schemathesis\.toml", ruled.stdout)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert "conforms to razorpay-billing.yaml" in ours.stdout
