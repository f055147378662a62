"""What the proxy refuses or passes at the edges of HTTP: targets that are no path, header
bytes that are not ASCII, an upstream given with a path. Never a 500, never a traceback.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.proxying import BIN, proxying
from tests.e2e.test_serve import _free_port
from tests.e2e.test_serve import serving as serving_mock

KEY = b"X-API-Key: bmk_30ad7e29f4ae54bbc956d62580a5a9ad\r\n"


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with serving_mock(42) as origin:
        yield origin


def _raw(origin: str, request: bytes) -> bytes:
    host, port = origin.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_a_target_that_is_no_path_is_a_400_not_a_500(mock: str) -> None:
    with proxying(mock) as proxy:
        answer = _raw(proxy.origin, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert "Traceback" not in proxy.printed


def test_an_absolute_form_target_goes_to_the_upstream_never_to_the_host_it_names(
    mock: str,
) -> None:
    # httptools (RFC 9112 3.2.2) serves an absolute-form target as its path; the proxy
    # forwards that path to its own upstream, whatever authority the target names.
    target = b"http://evil.example/api/billing/subscription/me"
    with proxying(mock) as proxy:
        answer = _raw(proxy.origin, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + KEY + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert "evil.example" not in proxy.printed
    assert "Traceback" not in proxy.printed


def test_a_header_value_that_is_not_ascii_is_forwarded(mock: str) -> None:
    request = (
        b"GET /api/billing/subscription/me HTTP/1.1\r\nHost: x\r\n"
        + KEY
        + b"X-Note: caf\xe9\r\nConnection: close\r\n\r\n"
    )
    with proxying(mock) as proxy:
        answer = _raw(proxy.origin, request)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert "Traceback" not in proxy.printed


def test_an_upstream_with_a_path_is_refused_at_start() -> None:
    result = subprocess.run(
        [
            str(BIN),
            "proxy",
            "--upstream",
            "https://staging.example/base",
            "--port",
            str(_free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "with no path" in result.stderr
    assert "Traceback" not in result.stderr
