"""The validating proxy as an ASGI app: forward unchanged, check, answer with the upstream's bytes.

One linear path per request: route it to an API and operation, read its body (bounded),
forward it with httpx, read the answer (bounded), ask the mock instead when the upstream
has no such operation (`--fallback mock`), check both sides, and answer with the
upstream's status, headers and bytes plus `X-Contract-Violations: N` when N > 0. Like
Prism's `proxy` without `--errors`: violations are reported, never enforced, and the
proxy checks no credentials, so a 401 stays a 401 and a 403 a 403 (Prism's #2527 turned
a 403 into a 401). The proxy answers on its own only at `/__proxy/report` and when the
upstream cannot be asked: 502 (unreachable) or 504 (no answer in time), in the API's
error envelope.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing_mock.apis.base import ApiModule
from billing_mock.contract.documents import Operation
from billing_mock.proxy.bodies import Read, chain, decoded, read_request, read_response
from billing_mock.proxy.checks import Answer, Checker, Sent, Violation, outside
from billing_mock.proxy.report import Exchange, Report
from billing_mock.server.errors import Failure, bounded
from billing_mock.server.routing import Mounts
from billing_mock.settings import DEFAULT_MAX_BODY

BAD_TARGET = "The proxy takes origin-form request targets only (a path starting with /)"

logger = logging.getLogger("billing_mock.proxy")

VIOLATIONS_HEADER = "X-Contract-Violations"
FALLBACK_HEADER = "X-Contract-Fallback"
"""`mock` on an answer from the mock (`--fallback mock`) instead of the upstream."""
PROXY_ERROR_HEADER = "X-Contract-Proxy-Error"
"""On the proxy's own 502/504: the httpx error, so it is not taken for the upstream's."""

REPORT_PATH = "/__proxy/report"
FALLBACK_STATUSES = frozenset({404, 501})
"""Upstream statuses `--fallback mock` answers from the mock instead (Prism remocks 501)."""

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
"""Headers of one connection, not of the message (RFC 9110 7.6.1): never forwarded."""
_NOT_FORWARDED = HOP_BY_HOP | {"host"}
"""Request headers the proxy does not pass on: httpx sets Host for the upstream."""

UNREACHABLE = "Upstream unreachable: the contract proxy could not connect to {upstream}."
TIMED_OUT = "Upstream timeout: {upstream} did not answer in time."
BROKE_OFF = "Upstream error: {upstream} broke the exchange off."

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class ValidatingProxy:
    """An ASGI app forwarding every request to `upstream` (an origin, `http://host:port`)
    and checking it against the contracts of `apis` (chosen by base path). `report` counts
    what it sees; `fallback` (an ASGI app, the mock) answers for an operation the upstream
    answers 404 or 501 for. Bodies are read for checking up to `max_body` bytes; a larger
    one streams through unchecked. At lifespan shutdown (uvicorn's SIGINT/SIGTERM) the
    report is written into `report_dir` when given (`Report.write`).
    """

    def __init__(
        self,
        apis: Mounts[ApiModule],
        upstream: str,
        report: Report,
        *,
        fallback: ASGIApp | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_LIMITS,
        report_dir: Path | None = None,
    ) -> None:
        self.apis = apis
        self.upstream = upstream.rstrip("/")
        self.report = report
        self.max_body = max_body
        self.report_dir = report_dir
        self._checkers = {api.name: Checker(api.contract, api.base_path) for api in apis}
        self._client = httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False)
        self._mock = None
        if fallback is not None:
            transport = httpx.ASGITransport(app=fallback)
            self._mock = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection: lifespan, the report, or a request to forward."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1003})
        elif scope["path"].rstrip("/") == REPORT_PATH and scope["method"] == "GET":
            await _send_json(send, 200, self.report.as_json())
        else:
            await self._proxy(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        """Close the connection pools and write the report (at lifespan shutdown)."""
        await self._client.aclose()
        if self._mock is not None:
            await self._mock.aclose()
        totals = self.report.as_json()["totals"]
        logger.info(
            "billing-mock proxy: %d exchanges, %d with violations (%d in all)",
            totals["exchanges"],
            totals["with_violations"],
            totals["violations"],
        )
        if self.report_dir is not None:
            try:
                written = self.report.write(self.report_dir)
            except OSError as error:
                logger.error("billing-mock proxy: could not write the report: %s", error)
                return
            logger.info("billing-mock proxy: report written: %s", ", ".join(map(str, written)))

    async def _proxy(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        if not raw_path.startswith(b"/"):
            # A `*` target names none of the upstream's paths (httptools serves an
            # absolute-form one, `GET http://other/x`, as its path: the upstream's own).
            await _send_json(send, 400, {"status_code": 400, "message": BAD_TARGET}, [])
            return
        body = await read_request(receive, self.max_body)
        # The header bytes as they came (a latin-1 value httpx would refuse as text).
        raw = [
            (name, value)
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() not in _NOT_FORWARDED
        ]
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw]
        sent = _sent(scope, headers, body)
        api = self.apis.for_path(sent.path)
        checker = self._checkers[api.name] if api else None
        operation, routed = checker.route(sent) if checker else (None, outside(sent.path))
        target = raw_path + (b"?" + scope["query_string"] if scope["query_string"] else b"")
        url = httpx.URL(self.upstream).copy_with(raw_path=target)
        content = body.head if body.rest is None else chain(body.head, body.rest)
        request = self._client.build_request(sent.method, url, headers=raw, content=content)
        name = api.name if api else None
        exchange = Exchange(
            name, operation, sent, str(url), headers, 0, "", [routed] if routed else []
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as error:
            await self._unreachable(send, exchange, error)
            return
        try:
            await self._answer(send, checker, exchange, response)
        finally:
            await response.aclose()

    async def _answer(
        self, send: Send, checker: Checker | None, exchange: Exchange, response: httpx.Response
    ) -> None:
        try:
            read = await read_response(response, self.max_body)
        except httpx.TransportError as error:  # the body broke off before anything was sent
            await self._unreachable(send, exchange, error)
            return
        if not self._falls_back(exchange, response.status_code):
            await self._respond(send, checker, exchange, (response, read), "upstream")
            return
        mocked = await self._ask_mock(exchange, response.status_code)
        try:
            read = await read_response(mocked, self.max_body)
            await self._respond(send, checker, exchange, (mocked, read), "mock")
        finally:
            await mocked.aclose()

    async def _respond(
        self,
        send: Send,
        checker: Checker | None,
        exchange: Exchange,
        answered: tuple[httpx.Response, Read],
        source: str,
    ) -> None:
        """Check the response (`answered`: it and its body read so far), record it, and
        send it to the client. `exchange.violations` holds the routing's, if any.
        """
        response, read = answered
        violations = list(exchange.violations)
        if checker is not None and exchange.operation is not None:
            headers = _joined(response.headers.multi_items())
            answer = Answer(response.status_code, headers, decoded(read, response, self.max_body))
            violations += _checked(checker, exchange.operation, exchange.sent, answer)
        done = replace(exchange, status=response.status_code, source=source, violations=violations)
        for line in self.report.record(done):
            logger.warning("billing-mock proxy: %s", line)
        extra = [(VIOLATIONS_HEADER, str(len(violations)))] if violations else []
        if source == "mock":
            extra.append((FALLBACK_HEADER, "mock"))
        await _send_response(send, response, read, extra)

    def _falls_back(self, exchange: Exchange, status: int) -> bool:
        return (
            self._mock is not None
            and exchange.operation is not None
            and status in FALLBACK_STATUSES
            and exchange.sent.body is not None
        )

    async def _ask_mock(self, exchange: Exchange, status: int) -> httpx.Response:
        assert self._mock is not None  # _falls_back said so
        sent = exchange.sent
        url = httpx.URL(exchange.url)
        request = self._mock.build_request(
            sent.method,
            url.copy_with(scheme="http", host="127.0.0.1", port=None),
            headers=list(exchange.forwarded),
            content=sent.body,
        )
        logger.info(
            "billing-mock proxy: fallback %s %s: the upstream answered %d; the mock answers",
            sent.method,
            sent.path,
            status,
        )
        return await self._mock.send(request, stream=True)

    async def _unreachable(
        self, send: Send, exchange: Exchange, error: httpx.TransportError
    ) -> None:
        """Answer for an upstream that could not be asked, in the envelope of the API the
        request was for (`{status_code, message}` outside them all, as the mock's own
        error handler does): 502 when it cannot be reached or broke off, 504 when it
        took longer than the timeout.
        """
        status, words, code = _gateway_failure(error)
        message = words.format(upstream=self.upstream)
        api = self.apis.for_path(exchange.sent.path)
        failure = Failure(status, message, code)
        body = api.error_body(failure) if api else {"status_code": status, "message": message}
        logger.error(
            "billing-mock proxy: %s %s: %s (%s: %s); answered %d",
            exchange.sent.method,
            exchange.sent.path,
            message,
            type(error).__name__,
            bounded(str(error) or "no detail"),
            status,
        )
        # Nothing answered to check: the exchange is counted, its request not judged.
        self.report.record(replace(exchange, status=status, source="proxy", violations=[]))
        await _send_json(send, status, body, [(PROXY_ERROR_HEADER, type(error).__name__)])


def _gateway_failure(error: httpx.TransportError) -> tuple[int, str, str]:
    """(status, message template, Failure code) for an httpx error reaching the upstream."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return 502, UNREACHABLE, "BadGateway"
    if isinstance(error, httpx.TimeoutException):
        return 504, TIMED_OUT, "GatewayTimeout"
    return 502, BROKE_OFF, "BadGateway"


def _checked(checker: Checker, operation: Operation, sent: Sent, answer: Answer) -> list[Violation]:
    """Both sides' violations. A fault in a check must not break the traffic it watches:
    it is logged in one line and the exchange passes unchecked.
    """
    try:
        return [*checker.request(operation, sent), *checker.response(operation, sent, answer)]
    except Exception as error:
        logger.error(
            "billing-mock proxy: could not check %s %s: %s: %s",
            sent.method,
            sent.path,
            type(error).__name__,
            bounded(str(error)),
        )
        return []


def _sent(scope: Scope, headers: Sequence[tuple[str, str]], body: Read) -> Sent:
    joined = _joined(headers)
    encoded = "content-encoding" in joined
    return Sent(
        method=scope["method"],
        path=scope["path"],
        query=scope["query_string"].decode("latin-1"),
        headers=joined,
        body=None if encoded else body.whole,
    )


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers by lower-case name, repeats joined with `, ` (RFC 9110 5.3)."""
    found: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


async def _send_response(
    send: Send, response: httpx.Response, read: Read, extra: list[tuple[str, str]]
) -> None:
    headers = [
        (name, value)
        for name, value in response.headers.raw
        if name.decode("latin-1").lower() not in HOP_BY_HOP
    ]
    headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in extra]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send(
        {"type": "http.response.body", "body": read.head, "more_body": read.rest is not None}
    )
    if read.rest is None:
        return
    try:
        async for chunk in read.rest:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except httpx.TransportError as error:
        # Its head is sent: all that is left is to cut the client's response short too.
        logger.error("billing-mock proxy: the upstream broke a long body off: %s", error)
        return
    await send({"type": "http.response.body", "body": b""})


async def _send_json(
    send: Send, status: int, body: object, headers: Sequence[tuple[str, str]] = ()
) -> None:
    payload = json.dumps(body).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": payload})
