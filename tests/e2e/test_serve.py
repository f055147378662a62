"""`billing-mock serve` as a real uvicorn process on a free loopback port, driven over HTTP."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.conftest import ROOT

BIN = Path(sys.executable).parent / "billing-mock"
SEED_REQUEST = "/api/v2/platform/organisation/billing/?page=1&page_size=10"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_answering(
    origin: str, process: subprocess.Popen[bytes], seconds: float, output: Callable[[], str]
) -> None:
    """Return once `origin` answers HTTP; AssertionError with the server's `output()` if
    `process` exits first or `seconds` pass.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(origin + "/", timeout=2)
            return
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{output()}") from None
            time.sleep(0.1)


@contextmanager
def serving(seed: int, *flags: str, output: list[str] | None = None) -> Iterator[str]:
    """Start the console script, wait for it to answer, yield its origin, then stop it;
    what it printed is appended to `output`.
    """
    port = _free_port()
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--seed", str(seed), *flags]
    origin = f"http://127.0.0.1:{port}"
    with running(command, origin, "", output):
        yield origin


@contextmanager
def running(
    arguments: list[str], origin: str, probe: str, output: list[str] | None = None
) -> Iterator[None]:
    """Run the console script with `arguments` until the block ends, once `origin` +
    `probe` answers; stop it with SIGTERM, as a service manager would, and append what it
    printed to `output`.
    """
    process = subprocess.Popen(
        [str(BIN), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        wait_until_answering(
            origin + probe,
            process,
            30,
            lambda: process.stdout.read().decode() if process.stdout else "",
        )
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout:
            if output is not None:
                output.append(process.stdout.read().decode())
            process.stdout.close()


def _seed_request(origin: str, users: dict[str, Any]) -> requests.Response:
    return requests.get(
        origin + SEED_REQUEST,
        headers={
            "accept": "application/json",
            "Org-Handle": "recalll.co",
            "Product-Id": "unpod.dev",
            "Authorization": f"jwt {users['priya.sharma@recalll.co']['jwt']}",
        },
        timeout=10,
    )


def test_seed_request_against_a_real_server_is_the_same_after_restart(
    users: dict[str, Any],
) -> None:
    with serving(42) as origin:
        first = _seed_request(origin, users)
        docs = requests.get(origin + "/api/v2/platform/ui/", timeout=10)
        raw = requests.get(origin + "/openapi/unpod-billing.yaml", timeout=10)
        missing = requests.get(origin + SEED_REQUEST, timeout=10)
        details = requests.get(
            f"{origin}/v1/organizations/3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f/stripe/billing-details",
            headers={"Authorization": f"Bearer {users['priya.sharma@recalll.co']['bearer']}"},
            timeout=10,
        ).json()
        # The invoice links are absolute URLs on this very server: follow one as-is.
        pdf = requests.get(details["invoices"][0]["invoicePdf"], timeout=10)
    assert first.status_code == 200
    body = first.json()
    assert (body["count"], len(body["data"])) == (17, 10)
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert raw.content == (ROOT / "openapi" / "unpod-billing.yaml").read_bytes()
    assert missing.status_code == 401
    assert details["invoices"][0]["invoicePdf"].startswith(origin)
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
    assert missing.json() == {
        "status_code": 401,
        "message": "Authentication credentials were not provided.",
    }
    with serving(42) as origin:
        assert _seed_request(origin, users).content == first.content


def test_concurrent_confirms_of_one_order_over_http_record_one_payment(
    users: dict[str, Any],
) -> None:
    secret = yaml.safe_load((ROOT / "fixtures" / "checkout.yaml").read_text())["gateway"][
        "key_secret"
    ]
    member = users["clara.novak@lumen.studio"]["memberships"][0]
    headers = {"X-API-Key": member["api_key"]}
    # Half the callers retry one payment, the others race with payments of their own.
    payments = ["pay_RaceRaceRace00"] * 4 + [f"pay_RaceRaceRace{n:02d}" for n in range(1, 5)]
    with serving(42) as origin:
        base = origin + "/api/billing"
        order = requests.post(
            base + "/checkout",
            json={"planId": "scale", "billingCycle": "yearly"},
            headers=headers,
            timeout=10,
        ).json()["orderId"]

        def confirm(payment: str) -> requests.Response:
            signature = hmac.new(
                secret.encode(), f"{order}|{payment}".encode(), hashlib.sha256
            ).hexdigest()
            body = {"orderId": order, "paymentId": payment, "signature": signature}
            return requests.post(base + "/checkout/confirm", json=body, headers=headers, timeout=10)

        with ThreadPoolExecutor(len(payments)) as pool:
            responses = list(pool.map(confirm, payments))
        export = requests.get(base + "/payments/export", headers=headers, timeout=10)
    winners = {r.json()["payment"]["id"] for r in responses if r.status_code == 200}
    assert len(winners) == 1
    assert {r.status_code for r in responses} <= {200, 409}
    losers = [r for r in responses if r.status_code == 409]
    assert all(r.json()["error"]["reason"] == "order_already_paid" for r in losers)
    assert len(losers) == sum(payment not in winners for payment in payments)
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(row["order_id"], row["payment_id"]) for row in rows] == [(order, winners.pop())]


def test_server_wide_latency_dropped_connections_and_the_request_log(users: dict[str, Any]) -> None:
    printed: list[str] = []
    with serving(42, "--latency", "150", "--log-format", "json", output=printed) as origin:
        started = time.perf_counter()
        slow = _seed_request(origin, users)
        elapsed = time.perf_counter() - started
        dropped = requests.Session()
        with pytest.raises(requests.RequestException):
            dropped.get(
                origin + "/api/billing/subscription/me",
                headers={"X-Mock-Fault": "drop"},
                timeout=10,
            )
        after = _seed_request(origin, users)
    assert slow.status_code == 200
    assert elapsed >= 0.15
    assert after.status_code == 200  # a dropped connection affects no other request
    lines = [json.loads(line) for line in printed[0].splitlines() if line.startswith("{")]
    assert [(line["method"], line["status"]) for line in lines][-1] == ("GET", 200)
    assert all(line["ms"] >= 150 for line in lines if line["path"].startswith("/api/v2/platform"))
