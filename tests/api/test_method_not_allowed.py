"""A method the contract does not declare on a path: 405 in the API's envelope, with an
`Allow` header listing every declared method, and HEAD wherever GET is (RFC 9110 9.3.2).
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import fixture_users

RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"

CASES = [
    # (method, path, Allow)
    ("POST", "/api/v2/platform/organisation/billing/", "GET, HEAD"),
    ("DELETE", f"/v1/organizations/{RECALLL_ID}/stripe/billing-details", "GET, HEAD"),
    ("PUT", f"/api/orgs/{RECALLL_ID}/billing", "GET, HEAD"),
    ("GET", f"/api/orgs/{RECALLL_ID}/billing/plan", "POST"),
    ("GET", "/api/billing/checkout", "POST"),
    # A literal path that a templated one (`/subscription/{id}`) would swallow.
    ("PATCH", "/api/billing/subscription/me", "GET, HEAD"),
    ("DELETE", "/api/billing/subscription/sub_00000000000000", "GET, HEAD, PATCH"),
    ("GET", "/__mock/reset", "POST"),
]


@pytest.mark.parametrize(("method", "path", "allow"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES])
def test_an_undeclared_method_is_405_with_every_declared_method(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    # Credentials: a templated path's operation checks them before its parameters.
    key = fixture_users()["priya.sharma@recalll.co"]["memberships"][0]["api_key"]
    headers = {"X-API-Key": key, "X-Mock-Control-Token": "local"}
    response = client.request(method, path, headers=headers)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/json"
