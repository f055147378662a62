"""Connections over a real socket: a late request head is cut off, idle sockets do not pile
up, and beyond `--max-connections` the server answers 503 instead of running out of sockets.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import requests

from tests.e2e.test_serve import serving

HEAD_TIMEOUT = 1.0
GET_INDEX = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _connect(origin: str) -> socket.socket:
    parts = urlsplit(origin)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed `sock` (recv gives b""), or None if still open."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def _response(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head


def test_a_connection_that_sends_nothing_is_closed() -> None:
    with serving(42, "--head-timeout", str(HEAD_TIMEOUT)) as origin, _connect(origin) as silent:
        waited = _closed_within(silent, HEAD_TIMEOUT + 4)
        assert waited is not None, "a silent connection was kept open"
        assert requests.get(origin + "/", timeout=5).status_code == 200


def test_a_head_sent_a_line_at_a_time_is_cut_off() -> None:
    with serving(42, "--head-timeout", str(HEAD_TIMEOUT)) as origin, _connect(origin) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started, cut = time.monotonic(), False
        while time.monotonic() - started < HEAD_TIMEOUT + 4:
            try:
                slow.sendall(b"X-Slow: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            if _closed_within(slow, 0.3) is not None:
                cut = True
                break
        assert cut, "a head trickling in a line at a time was never cut off"


def test_a_kept_alive_connection_serves_request_after_request() -> None:
    with serving(42, "--head-timeout", str(HEAD_TIMEOUT)) as origin, _connect(origin) as sock:
        for _ in range(3):
            sock.sendall(GET_INDEX)
            assert _response(sock).startswith(b"HTTP/1.1 200")
            time.sleep(HEAD_TIMEOUT / 2)


def test_beyond_max_connections_the_server_answers_503() -> None:
    with serving(42, "--max-connections", "4") as origin:
        idle = [_connect(origin) for _ in range(4)]
        try:
            time.sleep(0.2)
            with _connect(origin) as extra:
                extra.sendall(GET_INDEX)
                assert _response(extra).startswith(b"HTTP/1.1 503")
        finally:
            for sock in idle:
                sock.close()
        time.sleep(0.2)
        assert requests.get(origin + "/", timeout=5).status_code == 200


def test_a_body_trickling_in_is_cut_off_with_408() -> None:
    with serving(42, "--body-timeout", "1") as origin, _connect(origin) as slow:
        slow.sendall(
            b"POST /api/billing/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        started, answer = time.monotonic(), b""
        while time.monotonic() - started < 5 and b"\r\n\r\n" not in answer:
            try:
                slow.sendall(b" ")
                slow.settimeout(0.3)
                answer += slow.recv(4096)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert time.monotonic() - started < 4


def test_a_head_over_the_bound_is_refused_with_431() -> None:
    with serving(42) as origin:
        with _connect(origin) as sock:
            sock.sendall(GET_INDEX[:-2] + b"X-Big: " + b"a" * 12_000 + b"\r\n\r\n")
            assert _response(sock).startswith(b"HTTP/1.1 200")
        with _connect(origin) as sock:
            # Just over the bound and no more: the server reads it all, so it closes
            # with a FIN after its answer, not a reset that could discard the answer.
            lines = b"".join(b"X-Big: " + b"a" * 1000 + b"\r\n" for _ in range(17))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + lines)
            sock.settimeout(10)
            assert sock.recv(4096).startswith(b"HTTP/1.1 431")
        assert requests.get(origin + "/", timeout=5).status_code == 200


def test_serve_parses_with_httptools() -> None:
    # h11's pure-Python parser cost two thirds of the cached path's throughput; losing
    # httptools (uvicorn[standard]) must fail here, not quietly in `make bench`.
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from billing_mock.server.connections import head_deadline_protocol

    assert issubclass(head_deadline_protocol(1.0), HttpToolsProtocol)
