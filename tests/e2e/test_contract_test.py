"""`billing-mock contract-test` against real servers: the mock conforms; drift is caught.

Each drifting server is the mock behind a small ASGI wrapper that breaks one promise of
the contract: a renamed field, a number where the contract says string, a 500 on one
input, a missing auth check. Each runs in uvicorn on a free loopback port, and the
command must name the operation and the check that caught it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from tests.conftest import fixture_users
from tests.e2e.test_serve import _free_port

BIN = Path(sys.executable).parent / "billing-mock"
USERS = fixture_users()
PRIYA = USERS["priya.sharma@recalll.co"]
UNPOD = [
    "--api",
    "unpod",
    "--header",
    f"Authorization: jwt {PRIYA['jwt']}",
    "--header",
    "Org-Handle: recalll.co",
]
RAZORPAY_KEY = next(m["api_key"] for m in PRIYA["memberships"])
RAZORPAY = ["--api", "razorpay", "--header", f"X-API-Key: {RAZORPAY_KEY}"]


class Drift:
    """The mock, with its JSON bodies rewritten by `body`, or a 500 when `fail` says so,
    or credentials added to requests that have none (`with_auth`).
    """

    def __init__(
        self,
        app: ASGIApp,
        body: Callable[[Any], Any] | None = None,
        fail: Callable[[Scope], bool] | None = None,
        with_auth: dict[bytes, bytes] | None = None,
    ) -> None:
        self.app, self.body, self.fail, self.with_auth = app, body, fail, with_auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.fail and self.fail(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": b"boom"})
            return
        if self.with_auth:
            present = {name.lower() for name, _ in scope["headers"]}
            added = [(k, v) for k, v in self.with_auth.items() if k.lower() not in present]
            scope = {**scope, "headers": [*scope["headers"], *added]}
        if self.body is None:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            payload = b"".join(chunks)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            if any(
                k.lower() == b"content-type" and v.startswith(b"application/json")
                for k, v in headers
            ):
                payload = json.dumps(self.body(json.loads(payload))).encode()
            headers.append((b"content-length", str(len(payload)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": payload})

        await self.app(scope, receive, capture)


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yield its origin."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield origin
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def contract_test(
    origin: str, *arguments: str, junit: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [
        str(BIN),
        "contract-test",
        "--base-url",
        origin,
        "--max-examples",
        "15",
        "--seed",
        "7",
        *arguments,
    ]
    if junit is not None:
        command += ["--junit-xml", str(junit)]
    # A scratch directory each run: Schemathesis keeps replayable crashes in its cwd.
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(
            command, capture_output=True, text=True, cwd=scratch, timeout=300, check=False
        )


def _mock() -> ASGIApp:
    return create_app(load_stores(42))  # type: ignore[no-any-return]


def test_the_mock_conforms_and_writes_junit(tmp_path: Path) -> None:
    with serving(_mock()) as origin:
        result = contract_test(origin, *UNPOD, junit=tmp_path / "report.xml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms to unpod-billing.yaml" in result.stdout
    suites = ET.parse(tmp_path / "report.xml").getroot()
    assert [suite.get("name") for suite in suites.findall("testsuite")] == [
        "schemathesis",
        "coverage",
    ]
    cases = suites.findall("testsuite[@name='schemathesis']/testcase")
    assert [case.get("name") for case in cases] == ["GET /organisation/billing/"]
    assert not suites.findall(".//failure")
    (covered,) = suites.findall("testsuite[@name='coverage']/testcase")
    assert covered.get("name") == "GET /organisation/billing/"
    statuses = {p.get("name"): p.get("value") for p in covered.iter("property")}
    assert int(statuses["status.200"] or 0) > 0
    assert "statuses seen (count): " in (covered.findtext("system-out") or "")


def _rename(body: Any) -> Any:
    for item in body.get("data", []) if isinstance(body, dict) else []:
        item["invoiceNumber"] = item.pop("invoice_number")
    return body


def _amount_as_number(body: Any) -> Any:
    if (
        isinstance(body, dict)
        and isinstance(body.get("amount"), str)
        and body.get("entity") == "subscription"
    ):
        body["amount"] = float(body["amount"])
    return body


DRIFTS = {
    "renamed-field": (
        lambda app: Drift(app, body=_rename),
        UNPOD,
        "GET /organisation/billing/",
        "Response violates schema",
    ),
    "number-for-string": (
        lambda app: Drift(app, body=_amount_as_number),
        [*RAZORPAY, "--include-operation", "getMySubscription"],
        "GET /subscription/me",
        "Response violates schema",
    ),
    "500-on-one-input": (
        lambda app: Drift(app, fail=lambda scope: b"page_size=100" in scope["query_string"]),
        UNPOD,
        "GET /organisation/billing/",
        "Server error",
    ),
    "missing-auth-check": (
        lambda app: Drift(app, with_auth={b"authorization": f"jwt {PRIYA['jwt']}".encode()}),
        UNPOD,
        "GET /organisation/billing/",
        "API accepts requests without authentication",
    ),
}


@pytest.mark.parametrize("drift", list(DRIFTS))
def test_drift_is_reported_with_the_operation_and_the_check(drift: str, tmp_path: Path) -> None:
    make, arguments, operation, check = DRIFTS[drift]
    with serving(make(_mock())) as origin:
        result = contract_test(origin, *arguments, junit=tmp_path / "report.xml")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "DRIFTS from" in output
    assert operation in output
    assert check in output, output
    assert "curl" in output  # a reproduction for each failure
    failing = {
        case.get("name"): " ".join(
            f.get("message", "") + (f.text or "") for f in case.findall("failure")
        )
        for case in ET.parse(tmp_path / "report.xml").getroot().iter("testcase")
        if case.findall("failure")
    }
    assert list(failing) == [operation], failing
    assert check in failing[operation]


def test_unreachable_and_refused_are_told_apart() -> None:
    port = _free_port()
    unreachable = contract_test(f"http://127.0.0.1:{port}", *UNPOD)
    assert unreachable.returncode == 3
    assert "cannot reach" in unreachable.stderr
    with serving(_mock()) as origin:
        refused = contract_test(origin, "--api", "unpod", "--header", "Authorization: jwt nope")
        assert requests.get(origin + "/", timeout=5).status_code == 200
    assert refused.returncode == 4
    assert "refused the credentials" in refused.stderr
    assert "Schemathesis" not in refused.stdout  # no wall of failures


def test_a_run_against_the_mock_changes_nothing_others_see() -> None:
    """Checkouts made by the run land in a fresh sandbox, not in the default one."""
    stores = load_stores(42)
    owner = fixture_users()["priya.sharma@recalll.co"]["memberships"][0]["api_key"]
    before = stores.default.account("recalll.co")
    with serving(create_app(stores)) as origin:
        result = contract_test(
            origin,
            "--api",
            "razorpay",
            "--header",
            f"X-API-Key: {owner}",
            "--include-operation",
            "createCheckout",
            "--include-operation",
            "cancelSubscription",
        )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert stores.default.account("recalll.co") == before
    sandboxes = [name for name, _ in stores.listing()]
    assert len(sandboxes) == 2
    assert sandboxes[1].startswith("contract-test-")
    touched = stores.get(sandboxes[1])
    assert touched is not None
    assert touched.account("recalll.co") != before


def test_all_apis_pass_with_each_apis_own_credential() -> None:
    ops = USERS["ops@unpod.dev"]
    stores = load_stores(42)
    before = [stores.default.account(org.handle) for org in stores.default.organisations()]
    with serving(create_app(stores)) as origin:
        result = contract_test(
            origin,
            "--api",
            "all",
            "--header",
            f"unpod:Authorization: jwt {ops['jwt']}",
            "--header",
            f"stripe:Authorization: Bearer {ops['bearer']}",
            "--header",
            f"cognita:Authorization: Bearer {ops['bearer']}",
            "--header",
            f"razorpay:X-API-Key: {ops['memberships'][0]['api_key']}",
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" conforms to ") == 4
    assert [stores.default.account(org.handle) for org in stores.default.organisations()] == before


def test_coverage_names_what_an_owner_never_reached_and_can_fail_the_run(tmp_path: Path) -> None:
    owner = ["--api", "razorpay", "--header", f"X-API-Key: {RAZORPAY_KEY}"]
    only = ["--include-operation", "listSubscriptions", "--include-operation", "getMySubscription"]
    junit = tmp_path / "required.xml"
    with serving(_mock()) as origin:
        shown = contract_test(origin, *owner, *only)
        required = contract_test(origin, *owner, *only, "--require-coverage", junit=junit)
        ops = USERS["ops@unpod.dev"]["memberships"][0]["api_key"]
        admin = contract_test(
            origin,
            "--api",
            "razorpay",
            "--header",
            f"X-API-Key: {ops}",
            *only,
            "--require-coverage",
        )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "warning: GET /subscription (listSubscriptions) never answered a documented 2xx" in (
        shown.stdout
    )
    assert "GET /subscription/me (`getMySubscription`) | 200 | 200 (" in shown.stdout
    assert required.returncode == 1
    assert "--require-coverage" in required.stderr
    coverage = ET.parse(junit).getroot().find("testsuite[@name='coverage']")
    assert coverage is not None
    failed = {c.get("name") for c in coverage.iter("testcase") if c.find("failure") is not None}
    assert failed == {"GET /subscription"}
    assert admin.returncode == 0, admin.stdout + admin.stderr
    assert "never answered" not in admin.stdout


def test_a_seed_gives_the_same_cases_and_report_twice() -> None:
    with serving(_mock()) as origin:
        runs = [contract_test(origin, *UNPOD, "--sandbox", "same-seed") for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Seed: 7" in run.stdout  # contract_test passes --seed 7
        assert "not used" not in run.stdout

    def report(run: subprocess.CompletedProcess[str]) -> list[str]:
        # Timings and the scratch HAR's path differ from run to run; the cases and what
        # they met must not.
        return [
            re.sub(r"[0-9.]+s\b", "<time>", line)
            for line in run.stdout.splitlines()
            if "HAR:" not in line
        ]

    assert report(runs[0]) == report(runs[1])
