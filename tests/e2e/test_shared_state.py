"""Real server processes sharing one state: two `serve` processes on one SQLite file or
one redis-server (replicas behind a load balancer), `serve --workers 2`, a restart,
and `--state` refused cleanly when it cannot serve.
"""

from __future__ import annotations

import hashlib
import hmac
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import yaml

from tests.conftest import FIXTURES
from tests.e2e.test_serve import BIN, serving
from tests.state_backends import free_port, redis_server, state_url

CONTROL = {"X-Mock-Control-Token": "local"}
LUMEN_OWNER = {"X-API-Key": "bmk_20f0a34abf93f820df1b49035b3ed283"}
SECRET = yaml.safe_load((FIXTURES / "checkout.yaml").read_text())["gateway"]["key_secret"]
CHECKOUT = {"planId": "growth", "billingCycle": "monthly"}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> str:
    url = state_url(request.param, tmp_path, redis_url, 3)
    if request.param == "redis":
        redis.Redis.from_url(url).flushdb()
    return url


def _state_of(origin: str, handle: str = "lumen.studio") -> dict[str, Any]:
    response = requests.get(f"{origin}/__mock/organisations/{handle}", headers=CONTROL, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _checkout(origin: str) -> str:
    response = requests.post(
        f"{origin}/api/billing/checkout", json=CHECKOUT, headers=LUMEN_OWNER, timeout=10
    )
    assert response.status_code == 201, response.text
    order: str = response.json()["orderId"]
    return order


def _confirm(origin: str, order: str, payment: str) -> int:
    signature = hmac.new(SECRET.encode(), f"{order}|{payment}".encode(), hashlib.sha256)
    body = {"orderId": order, "paymentId": payment, "signature": signature.hexdigest()}
    response = requests.post(
        f"{origin}/api/billing/checkout/confirm", json=body, headers=LUMEN_OWNER, timeout=30
    )
    return response.status_code


def test_two_servers_on_one_state_record_one_payment_for_200_confirms(state: str) -> None:
    with ExitStack() as stack:
        origins = [stack.enter_context(serving(42, "--state", state)) for _ in range(2)]
        order = _checkout(origins[0])
        payments = _state_of(origins[1])["payments"]["count"]
        with ThreadPoolExecutor(16) as pool:
            statuses = list(
                pool.map(
                    lambda index: _confirm(origins[index % 2], order, f"pay_Shared{index % 3:08d}"),
                    range(200),
                )
            )
        assert set(statuses) <= {200, 409}
        assert statuses.count(200) >= 1
        for origin in origins:
            assert _state_of(origin)["payments"]["count"] == payments + 1


def test_writes_from_two_servers_serialise_and_a_restart_keeps_them(state: str) -> None:
    with ExitStack() as stack:
        first, second = (stack.enter_context(serving(42, "--state", state)) for _ in range(2))
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda index: _checkout((first, second)[index % 2]), range(30)))
        moved = requests.post(
            f"{second}/__mock/clock",
            json={"advance": "P1M"},
            headers={**CONTROL, "X-Mock-Sandbox": "kept"},
            timeout=30,
        )
        assert moved.status_code == 200, moved.text
        assert _state_of(first)["orders"]["created"] == 30
        before = _state_of(first, "recalll.co")
    with serving(42, "--state", state) as again:
        assert _state_of(again)["orders"]["created"] == 30
        assert _state_of(again, "recalll.co") == before
        clock = requests.get(
            f"{again}/__mock/clock", headers={**CONTROL, "X-Mock-Sandbox": "kept"}, timeout=10
        ).json()
        assert clock["now"] == "2026-12-15T09:30:00Z"


def test_two_workers_serve_a_checkout_whichever_answers(state: str) -> None:
    with serving(42, "--state", state, "--workers", "2") as origin:
        order = _checkout(origin)
        assert _confirm(origin, order, "pay_Workers0000001") == 200
        statuses = set()
        for _ in range(20):  # a new connection each time: either worker may answer
            me = requests.get(f"{origin}/api/billing/subscription/me", headers=LUMEN_OWNER)
            statuses.add(me.json()["status"])
        assert statuses == {"active"}
        assert _confirm(origin, order, "pay_Workers0000001") == 200  # idempotent on any worker


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--state", "postgres://db/x"], "unknown state 'postgres://db/x'"),
        (["--state", "sqlite:////nonexistent/folder/state.db"], "cannot use the SQLite state"),
        (["--state", f"redis://127.0.0.1:{free_port()}/0"], "cannot use the Redis state"),
        (["--workers", "2"], "--workers needs a shared --state"),
    ],
)
def test_a_state_that_cannot_serve_is_a_clear_message_and_exit_2(
    flags: list[str], message: str
) -> None:
    result = subprocess.run(
        [str(BIN), "serve", "--port", str(free_port()), *flags],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_state_store_lost_under_a_running_server_is_a_503_in_the_apis_envelope() -> None:
    with redis_server() as url, serving(42, "--state", url, output=(log := [])) as origin:
        redis.Redis.from_url(url).shutdown(nosave=True)
        response = requests.get(f"{origin}/api/billing/subscription/me", headers=LUMEN_OWNER)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert response.json()["error"]["reason"] == "server_error"
        assert "state store is unavailable" in response.json()["error"]["description"]
    assert "state store failed" in log[0]
    assert "Traceback" not in log[0]


def test_a_write_on_one_server_is_read_on_the_other_through_its_cache(state: str) -> None:
    unpod = "/api/v2/platform/organisation/billing/?page_size=1"
    headers = {"Authorization": "Token c7d9b7cbcc3d3039c30b9ce49ab0965d290306ac"}
    headers["Org-Handle"] = "recalll.co"
    with ExitStack() as stack:
        first, second = (stack.enter_context(serving(42, "--state", state)) for _ in range(2))
        for _ in range(2):  # the second answer comes from the response cache
            assert requests.get(first + unpod, headers=headers).json()["count"] == 17
        requests.post(f"{second}/__mock/clock", json={"advance": "P1M"}, headers=CONTROL)
        assert requests.get(first + unpod, headers=headers).json()["count"] == 18
