"""`billing-mock proxy` in front of a real `billing-mock serve`, and of no server at all.

The mock conforms, so the README's requests for every API pass with no violation; its
401 and 403 reach the client as the mock sent them (status and bytes); an upstream that
is not there is a 502 in the API's own envelope and one log line, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.conftest import fixture_users
from tests.e2e.proxying import REPORT, proxying
from tests.e2e.test_serve import _free_port
from tests.e2e.test_serve import serving as serving_mock

USERS = fixture_users()
PRIYA = USERS["priya.sharma@recalll.co"]
RECALLL = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
LUMEN_OWNER = {"X-API-Key": "bmk_20f0a34abf93f820df1b49035b3ed283"}
GATEWAY_SECRET = "gcQGq40lvbeROPs59rItZXmX"
UNPOD = "/api/v2/platform/organisation/billing/"
UNPOD_HEADERS = {
    "accept": "application/json",
    "Org-Handle": "recalll.co",
    "Product-Id": "unpod.dev",
    "Authorization": f"jwt {PRIYA['jwt']}",
}
BEARER = {"Authorization": f"Bearer {PRIYA['bearer']}"}


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with serving_mock(42) as origin:
        yield origin


def _checked(response: requests.Response, status: int | None = None) -> requests.Response:
    """`response`, once it is `status` (default: any 2xx) with no violation reported."""
    ok = response.status_code == status if status else 200 <= response.status_code < 300
    assert ok, f"{response.status_code} {response.text}"
    assert "X-Contract-Violations" not in response.headers, response.headers
    return response


def _razorpay_walk(base: str, sandbox: dict[str, str]) -> int:
    """The README's Razorpay walk, from checkout to a cancelled subscription; the count
    of requests it made.
    """
    h = {**LUMEN_OWNER, **sandbox}
    b = base + "/api/billing"
    assert _checked(requests.get(b + "/subscription/me", headers=h, timeout=10)).json()
    checkout = {"planId": "growth", "billingCycle": "monthly", "couponCode": "LAUNCH20"}
    order = _checked(requests.post(b + "/checkout", json=checkout, headers=h, timeout=10))
    order_id = order.json()["orderId"]
    payment = "pay_Test0000000001"
    signature = hmac.new(
        GATEWAY_SECRET.encode(), f"{order_id}|{payment}".encode(), hashlib.sha256
    ).hexdigest()
    body = {"orderId": order_id, "paymentId": payment, "signature": signature}
    confirm = _checked(requests.post(b + "/checkout/confirm", json=body, headers=h, timeout=10))
    assert confirm.json()["invoice"]["amount"] == "754.26"
    _checked(requests.post(b + "/plan-change", json={"planId": "scale"}, headers=h, timeout=10))
    _checked(requests.post(b + "/cancel", headers=h, timeout=10))
    _checked(requests.post(b + "/resume", headers=h, timeout=10))
    pdf_path = confirm.json()["invoice"]["pdfUrl"].partition("/api/billing")[2]
    pdf = _checked(requests.get(b + pdf_path, headers=h, timeout=10))
    assert pdf.content.startswith(b"%PDF")
    export = "/payments/export?from=2026-01-01&to=2026-12-31"
    assert (
        "text/csv"
        in _checked(requests.get(b + export, headers=h, timeout=10)).headers["content-type"]
    )
    now = {"cancelAtCycleEnd": False}
    _checked(requests.post(b + "/cancel", json=now, headers=h, timeout=10))
    ended = _checked(requests.post(b + "/resume", headers=h, timeout=10), 409)
    assert ended.json()["error"]["reason"] == "subscription_ended"
    return 10


def test_the_readme_requests_pass_through_with_no_violation(mock: str) -> None:
    sandbox = {"X-Mock-Sandbox": "proxy-readme"}
    with proxying(mock) as proxy:
        base = proxy.origin
        seed = _checked(requests.get(base + UNPOD + "?page=1&page_size=10", headers=UNPOD_HEADERS))
        assert seed.json()["count"] == 17
        stripe = f"{base}/v1/organizations/{RECALLL}/stripe/billing-details"
        _checked(requests.get(stripe, headers={**BEARER, **sandbox}, timeout=10))
        made = 2 + _razorpay_walk(base, sandbox)
        cognita = f"{base}/api/orgs/{RECALLL}/billing"
        _checked(requests.get(cognita, headers={**BEARER, **sandbox}, timeout=10))
        plan = {"planId": "scale", "billingCycle": "yearly"}
        _checked(requests.post(cognita + "/plan", json=plan, headers={**BEARER, **sandbox}))
        report = requests.get(base + REPORT, timeout=10).json()
    assert report["totals"]["exchanges"] == made + 2
    assert report["totals"]["violations"] == 0, json.dumps(report["violations"])
    assert "billing-mock proxy: violation" not in proxy.printed
    assert f"{made + 2} exchanges, 0 with violations" in proxy.printed


def _direct_and_proxied(
    mock: str, proxy: str, path: str, headers: dict[str, str]
) -> tuple[requests.Response, requests.Response]:
    return (
        requests.get(mock + path, headers=headers, timeout=10),
        requests.get(proxy + path, headers=headers, timeout=10),
    )


def test_a_401_and_a_403_reach_the_client_as_the_upstream_sent_them(mock: str) -> None:
    no_credentials = {k: v for k, v in UNPOD_HEADERS.items() if k != "Authorization"}
    not_a_member = {**UNPOD_HEADERS, "Org-Handle": "northwind.io"}
    with proxying(mock) as proxy:
        for headers, status in ((no_credentials, 401), (not_a_member, 403)):
            direct, proxied = _direct_and_proxied(mock, proxy.origin, UNPOD, headers)
            assert direct.status_code == proxied.status_code == status
            assert proxied.content == direct.content
            assert proxied.headers["content-type"] == direct.headers["content-type"]
            assert "X-Contract-Violations" not in proxied.headers


def _envelopes(proxy: str) -> dict[str, Any]:
    return {
        "unpod": requests.get(proxy + UNPOD, headers=UNPOD_HEADERS, timeout=10),
        "razorpay": requests.get(proxy + "/api/billing/subscription/me", timeout=10),
        "stripe": requests.get(f"{proxy}/v1/organizations/{RECALLL}/stripe/billing-details"),
        "outside": requests.get(proxy + "/elsewhere", timeout=10),
    }


def test_an_unreachable_upstream_is_a_502_in_each_apis_envelope_and_one_clear_line() -> None:
    nothing = f"http://127.0.0.1:{_free_port()}"
    with proxying(nothing) as proxy:
        answers = _envelopes(proxy.origin)
    for answer in answers.values():
        assert answer.status_code == 502
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["X-Contract-Proxy-Error"] == "ConnectError"
    message = f"Upstream unreachable: the contract proxy could not connect to {nothing}."
    assert answers["unpod"].json() == {"status_code": 502, "message": message}
    assert answers["razorpay"].json() == {
        "error": {
            "code": "SERVER_ERROR",
            "description": message.rstrip("."),
            "reason": "server_error",
            "field": None,
        }
    }
    assert answers["stripe"].json() == {
        "statusCode": 502,
        "message": message.rstrip("."),
        "error": "Bad Gateway",
    }
    assert answers["outside"].json() == {"status_code": 502, "message": message}
    lines = [line for line in proxy.printed.splitlines() if "Upstream unreachable" in line]
    assert len(lines) == 4
    assert lines[0].startswith(f"billing-mock proxy: GET {UNPOD}: {message} (ConnectError: ")
    assert lines[0].endswith("answered 502")
    assert "Traceback" not in proxy.printed
