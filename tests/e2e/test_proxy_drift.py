"""`billing-mock proxy` in front of an upstream that drifts from the contracts, one way per path.

The upstream is the mock behind a small ASGI app (uvicorn in a thread) that breaks one
promise on each of six requests: a float amount, a missing required field, a 500, a
problem+json error, an undocumented status, an undocumented path. Through the proxy
each answer reaches the client byte for byte, with `X-Contract-Violations`, a log line
naming the rule and a `curl`, and the reports on exit; `--fallback mock` answers in
place of the upstream's 404.
"""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from tests.conftest import fixture_users
from tests.e2e.proxying import REPORT, proxying
from tests.e2e.test_contract_test import Drift
from tests.e2e.test_contract_test import serving as serving_in_a_thread

PRIYA = fixture_users()["priya.sharma@recalll.co"]
RECALLL = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
OWNER = {"X-API-Key": next(m["api_key"] for m in PRIYA["memberships"])}
BEARER = {"Authorization": f"Bearer {PRIYA['bearer']}"}
UNPOD = {"Authorization": f"jwt {PRIYA['jwt']}", "Org-Handle": "recalll.co"}
SLOW = 3.0
"""Seconds the upstream takes on the export: longer than the proxy's --timeout 1."""
PROBLEM = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no such org"}


def _float_amount(body: Any) -> Any:
    body["amount"] = float(body["amount"])
    return body


def _no_invoice_number(body: Any) -> Any:
    del body["data"][0]["invoice_number"]
    return body


class Drifting:
    """The mock, with the drift of each path in DRIFTS; other paths as the mock answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/v1/organizations/"):
            await _answer(send, 500, b"boom", b"text/plain")
        elif scope["type"] == "http" and path.startswith("/api/orgs/"):
            await _answer(send, 404, json.dumps(PROBLEM).encode(), b"application/problem+json")
        elif scope["type"] == "http" and path == "/api/billing/subscription":
            error = {"code": "BAD_REQUEST_ERROR", "description": "Teapot", "reason": "forbidden"}
            envelope = {"error": {**error, "field": None}}
            await _answer(send, 418, json.dumps(envelope).encode(), b"application/json")
        elif scope["type"] == "http" and path == "/api/billing/payments/export":
            await asyncio.sleep(SLOW)
            await _answer(send, 200, b"late", b"text/csv")
        elif scope["type"] == "http" and path == "/api/billing/subscription/me/cancel-soon":
            start = [(b"content-type", b"application/json"), (b"content-length", b"100")]
            await send({"type": "http.response.start", "status": 200, "headers": start})
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            # ... and return: uvicorn closes the connection on an unfinished response.
        elif scope["type"] == "http" and path in REWRITES:
            await Drift(self.app, body=REWRITES[path])(scope, receive, send)
        else:
            await self.app(scope, receive, send)


REWRITES: dict[str, Callable[[Any], Any]] = {
    "/api/billing/subscription/me": _float_amount,
    "/api/v2/platform/organisation/billing/": _no_invoice_number,
}


async def _answer(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


DRIFTS = {
    "float-amount": ("/api/billing/subscription/me", OWNER, 200, {"response_schema_conformance"}),
    "missing-field": (
        "/api/v2/platform/organisation/billing/",
        UNPOD,
        200,
        {"response_schema_conformance"},
    ),
    "500": (
        f"/v1/organizations/{RECALLL}/stripe/billing-details",
        BEARER,
        500,
        {"not_a_server_error", "content_type_conformance"},
    ),
    "problem-json": (
        f"/api/orgs/{RECALLL}/billing",
        BEARER,
        404,
        {"content_type_conformance", "error_envelope"},
    ),
    "undocumented-status": ("/api/billing/subscription", OWNER, 418, {"status_code_conformance"}),
    "undocumented-path": ("/api/billing/nope", OWNER, 404, {"undocumented_path"}),
}


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving_in_a_thread(Drifting(create_app(load_stores(42)))) as origin:
        yield origin


def test_each_drift_passes_through_byte_for_byte_and_is_reported_with_its_rule(
    upstream: str, tmp_path: Path
) -> None:
    with proxying(upstream, "--report-dir", str(tmp_path)) as proxy:
        for name, (path, headers, status, rules) in DRIFTS.items():
            direct = requests.get(upstream + path, headers=headers, timeout=10)
            proxied = requests.get(proxy.origin + path, headers=headers, timeout=10)
            assert direct.status_code == proxied.status_code == status, name
            assert proxied.content == direct.content, name
            assert proxied.headers["content-type"] == direct.headers["content-type"]
            assert int(proxied.headers["X-Contract-Violations"]) >= len(rules), name
        live = requests.get(proxy.origin + REPORT, timeout=10).json()
    assert live["totals"]["exchanges"] == len(DRIFTS)
    assert live["totals"]["with_violations"] == len(DRIFTS)
    seen = {
        (row["api"], row["path"]): set(row["violations"])
        for row in live["operations"]
        if row["exchanges"]
    }
    assert seen == {
        ("razorpay", "/subscription/me"): DRIFTS["float-amount"][3],
        ("unpod", "/organisation/billing/"): DRIFTS["missing-field"][3],
        ("stripe", "/organizations/{orgId}/stripe/billing-details"): DRIFTS["500"][3],
        ("cognita", "/orgs/{orgId}/billing"): DRIFTS["problem-json"][3],
        ("razorpay", "/subscription"): DRIFTS["undocumented-status"][3],
        ("razorpay", "(undocumented)"): DRIFTS["undocumented-path"][3],
    }
    _the_log_names_each_violation(proxy.printed, upstream)
    _the_reports_were_written_on_exit(tmp_path, live)


def _the_log_names_each_violation(printed: str, upstream: str) -> None:
    lines = [line for line in printed.splitlines() if line.startswith("billing-mock proxy: vio")]
    float_line = next(line for line in lines if "getMySubscription" in line)
    assert "response_schema_conformance response.body $.amount: " in float_line
    assert "is not of type 'string' [200 from upstream]" in float_line
    assert f"reproduce: curl -X GET {upstream}/api/billing/subscription/me" in float_line
    assert "x-api-key: [masked]" in float_line
    assert OWNER["X-API-Key"] not in printed  # secrets masked by default
    missing = next(line for line in lines if "getBillingData" in line)
    assert "$.data[0]: 'invoice_number' is a required property" in missing
    assert any("razorpay (undocumented) undocumented_path request.path" in ln for ln in lines)
    assert "Traceback" not in printed


def _the_reports_were_written_on_exit(directory: Path, live: dict[str, Any]) -> None:
    written = json.loads((directory / "proxy-report.json").read_text())
    assert written["totals"] == live["totals"]
    root = ET.parse(directory / "proxy-junit.xml").getroot()
    failed = {
        (case.get("classname"), case.get("name"))
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }
    assert ("proxy.razorpay", "GET /subscription/me") in failed
    assert ("proxy.cognita", "GET /orgs/{orgId}/billing") in failed
    assert len(failed) == len(DRIFTS)


def test_fallback_mock_answers_where_the_upstream_404s(upstream: str) -> None:
    path = f"/api/orgs/{RECALLL}/billing"
    with proxying(upstream, "--fallback", "mock", "--api", "cognita") as proxy:
        answer = requests.get(proxy.origin + path, headers=BEARER, timeout=10)
        report = requests.get(proxy.origin + REPORT, timeout=10).json()
    assert answer.status_code == 200
    assert answer.headers["X-Contract-Fallback"] == "mock"
    assert "X-Contract-Violations" not in answer.headers
    assert answer.json()["data"]["orgId"] == RECALLL
    row = next(r for r in report["operations"] if r["operationId"] == "getOrganizationBilling")
    assert row["sources"] == {"mock": 1}
    assert row["statuses"] == {"200": 1}
    assert report["totals"]["from_mock"] == 1
    assert f"fallback GET {path}: the upstream answered 404; the mock answers" in proxy.printed


def test_a_slow_upstream_is_a_504_and_a_broken_one_a_502_in_the_envelope(upstream: str) -> None:
    with proxying(upstream, "--timeout", "1") as proxy:
        slow = requests.get(proxy.origin + "/api/billing/payments/export", headers=OWNER)
        broken = requests.get(proxy.origin + "/api/billing/subscription/me/cancel-soon")
    assert slow.status_code == 504
    assert slow.json()["error"]["reason"] == "server_error"  # the contract's word for any 5xx
    assert slow.headers["X-Contract-Proxy-Error"] == "ReadTimeout"
    assert broken.status_code == 502
    assert broken.json()["error"]["description"].startswith("Upstream error: ")
    assert broken.json()["error"]["reason"] == "server_error"
    assert "answered 504" in proxy.printed
    assert "answered 502" in proxy.printed
    assert "Traceback" not in proxy.printed
