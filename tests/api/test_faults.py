"""`X-Mock-Fault` beyond 500: a bad gateway, an unavailable service, a gateway timeout,
each in the API's own error envelope, and never for the control API.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import fixture_users

PRIYA = fixture_users()["priya.sharma@recalll.co"]
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
READS = {
    "unpod": (
        "/api/v2/platform/organisation/billing/",
        {"Authorization": f"jwt {PRIYA['jwt']}", "Org-Handle": "recalll.co"},
    ),
    "stripe": (
        f"/v1/organizations/{RECALLL_ID}/stripe/billing-details",
        {"Authorization": f"Bearer {PRIYA['bearer']}"},
    ),
    "razorpay": ("/api/billing/subscription/me", {"X-API-Key": PRIYA["memberships"][0]["api_key"]}),
    "cognita": (f"/api/orgs/{RECALLL_ID}/billing", {"Authorization": f"Bearer {PRIYA['bearer']}"}),
}
ENVELOPE_KEYS = {
    "unpod": "status_code",
    "stripe": "error",
    "razorpay": "error",
    "cognita": "status",
}


@pytest.mark.parametrize("status", ["502", "503", "504"])
@pytest.mark.parametrize("api", sorted(READS))
def test_an_injected_5xx_is_that_status_in_the_apis_envelope(
    client: TestClient, api: str, status: str
) -> None:
    path, headers = READS[api]
    response = client.get(path, headers={**headers, "X-Mock-Fault": status})
    assert response.status_code == int(status)
    assert ENVELOPE_KEYS[api] in response.json()
    assert "Injected fault" in response.text
    assert client.get(path, headers=headers).status_code == 200


def test_razorpay_words_an_injected_5xx_as_a_server_error(client: TestClient) -> None:
    path, headers = READS["razorpay"]
    error = client.get(path, headers={**headers, "X-Mock-Fault": "503"}).json()["error"]
    assert (error["code"], error["reason"]) == ("SERVER_ERROR", "server_error")


def test_an_unknown_fault_lists_every_one(client: TestClient) -> None:
    path, headers = READS["razorpay"]
    response = client.get(path, headers={**headers, "X-Mock-Fault": "418"})
    assert response.status_code == 400
    assert "500, 502, 503, 504, drop, timeout" in response.json()["error"]["description"]
