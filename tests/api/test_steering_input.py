"""Bad steering headers (X-Mock-Seed, -Latency, -Fault, -Fault-Rate, -Scenario, Prefer):
each a 400 in the API's own envelope naming the allowed form, never a 500, and the value
echoed only in part.

Requests go to the ASGI app as raw header bytes, as uvicorn hands them over: the test
client would re-encode a Latin-1 byte such as 0xB2 (superscript two, which
`str.isdigit` accepts and `int` refuses) as UTF-8 before the app saw it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from connexion import AsyncApp

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from tests.conftest import fixture_users

PRIYA = fixture_users()["priya.sharma@recalll.co"]
RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
UNPOD = "/api/v2/platform/organisation/billing/"


def _unpod_message(body: Any) -> str:
    assert set(body) == {"status_code", "message"}
    assert body["status_code"] == 400
    message: str = body["message"]
    return message


def _razorpay_message(body: Any) -> str:
    assert set(body) == {"error"}
    assert body["error"]["code"] == "BAD_REQUEST_ERROR"
    message: str = body["error"]["description"]
    return message


def _stripe_message(body: Any) -> str:
    assert (body["statusCode"], body["error"]) == (400, "Bad Request")
    message: str = body["message"]
    return message


def _cognita_message(body: Any) -> str:
    assert body["status"] == "error"
    message: str = body["message"]
    return message


APIS: dict[str, tuple[str, dict[str, str], Callable[[Any], str]]] = {
    "unpod": (
        UNPOD,
        {"authorization": f"jwt {PRIYA['jwt']}", "org-handle": "recalll.co"},
        _unpod_message,
    ),
    "stripe": (
        f"/v1/organizations/{RECALLL_ID}/stripe/billing-details",
        {"authorization": f"Bearer {PRIYA['bearer']}"},
        _stripe_message,
    ),
    "razorpay": (
        "/api/billing/subscription/me",
        {"x-api-key": PRIYA["memberships"][0]["api_key"]},
        _razorpay_message,
    ),
    "cognita": (
        f"/api/orgs/{RECALLL_ID}/billing",
        {"authorization": f"Bearer {PRIYA['bearer']}"},
        _cognita_message,
    ),
}


@pytest.fixture(scope="module")
def app() -> AsyncApp:
    return create_app(load_stores(42), validate_responses=True)


def _get(app: AsyncApp, path: str, headers: dict[str, str], raw: dict[str, bytes]) -> Any:
    """(status, JSON body) of a GET with `headers` plus `raw` header values as bytes."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            *((name.encode(), value.encode()) for name, value in headers.items()),
            *((name.encode(), value) for name, value in raw.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return sent[0]["status"], json.loads(body)


LONG = b"9" * 5000

BAD = [
    ("x-mock-seed", b"1\xb2", "1 to 18 ASCII digits"),
    ("x-mock-seed", "١٢".encode(), "1 to 18 ASCII digits"),
    ("x-mock-seed", LONG, "1 to 18 ASCII digits"),
    ("x-mock-seed", b"9" * 19, "1 to 18 ASCII digits"),
    ("x-mock-seed", b"-1", "1 to 18 ASCII digits"),
    ("x-mock-seed", b"", "1 to 18 ASCII digits"),
    ("x-mock-latency", b"nan", "like 250 or 100-800"),
    ("x-mock-latency", b"inf", "like 250 or 100-800"),
    ("x-mock-latency", b"1e999", "like 250 or 100-800"),
    ("x-mock-latency", b"1_0", "like 250 or 100-800"),
    ("x-mock-latency", b"1\xb2", "like 250 or 100-800"),
    ("x-mock-latency", LONG, "like 250 or 100-800"),
    ("x-mock-latency", b"800-100", "0 to 60000"),
    ("x-mock-latency", b"60001", "0 to 60000"),
    ("x-mock-fault-rate", b"nan", "from 0 to 1"),
    ("x-mock-fault-rate", b"inf", "from 0 to 1"),
    ("x-mock-fault-rate", b"1e-1", "from 0 to 1"),
    ("x-mock-fault-rate", b"0_5", "from 0 to 1"),
    ("x-mock-fault-rate", b"\xb9", "from 0 to 1"),
    ("x-mock-fault-rate", b"1.5", "from 0 to 1"),
    ("x-mock-fault-rate", b"0." + LONG, "from 0 to 1"),
    ("x-mock-fault", LONG, "500, 502, 503, 504, drop, timeout"),
    ("x-mock-fault", b"5\xb200", "500, 502, 503, 504, drop, timeout"),
    ("x-mock-scenario", LONG, "failed-payment"),
    ("prefer", b"code=" + LONG, "a status like 404"),
    ("prefer", b"code=default", "a status like 404"),
    ("prefer", b"code=4\xb204", "a status like 404"),
    ("prefer", b"example=" + LONG, "named examples:"),
]


@pytest.mark.parametrize(("name", "value", "allowed"), BAD)
def test_a_bad_steering_header_is_400_naming_the_allowed_form(
    app: AsyncApp, name: str, value: bytes, allowed: str
) -> None:
    path, headers, message_of = APIS["unpod"]
    status, body = _get(app, path, headers, {name: value})
    assert status == 400, body
    message = message_of(body)
    assert allowed in message
    # The value is echoed in part: 5,000 digits are not sent back.
    assert len(message) < 400
    if len(value) > 100:
        assert value.decode("latin-1")[:100] not in message


@pytest.mark.parametrize("api", list(APIS))
def test_a_bad_steering_header_is_in_each_apis_own_envelope(app: AsyncApp, api: str) -> None:
    path, headers, message_of = APIS[api]
    for raw in ({"x-mock-seed": b"1\xb2"}, {"x-mock-fault-rate": b"nan"}):
        status, body = _get(app, path, headers, raw)
        assert status == 400, body
        assert message_of(body).startswith(next(iter(raw)).title()), body


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-mock-seed", b"0"),
        ("x-mock-seed", b"9" * 18),
        ("x-mock-latency", b"0"),
        ("x-mock-latency", b"0-1"),
        ("x-mock-latency", b"0.5"),
        ("x-mock-fault-rate", b"0"),
        ("x-mock-fault-rate", b"0.25"),
        ("x-mock-fault-rate", b".25"),
        ("prefer", b"code=200"),
    ],
)
def test_the_allowed_forms_still_work(app: AsyncApp, name: str, value: bytes) -> None:
    path, headers, _ = APIS["unpod"]
    status, body = _get(app, path, headers, {name: value})
    assert status == 200, body
