"""The control token (`X-Mock-Control-Token`): the one credential of the control API.

With a token configured, only that token is accepted. With none, any value is accepted
from a loopback client (127.0.0.0/8, ::1) that addressed the server by a loopback name
(`Host: localhost:8000`, `127.0.0.1`, `[::1]`) or a configured one (`--control-host`),
and nothing else: a page on another name that resolves to 127.0.0.1 (DNS rebinding)
sends its own name as Host and is refused. connexion answers 401 before this runs when
the header is absent, so a local caller still sends one (`X-Mock-Control-Token: local`).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from billing_mock.domain.errors import AuthenticationFailed, PermissionDenied
from billing_mock.server.request_state import settings_of

TOKEN_INFO = {"sub": "control"}

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
"""Host names that always mean this machine, besides loopback IP literals."""


class UnknownHost(PermissionDenied):
    """The request named a Host the control API does not answer to without a token."""

    default_message = "The control API answers only requests to a loopback host name"


def control_token(apikey: str, request: Any) -> dict[str, str]:
    """Connexion's `x-apikeyInfoFunc` for ControlToken: the `X-Mock-Control-Token` value.

    Out: token info `{"sub": "control"}`. Raises AuthenticationFailed (401) for a token
    other than the configured one; with no token configured, PermissionDenied (403) for
    a caller that is not on loopback and UnknownHost (403) for a Host header that is no
    loopback name and not in `Settings.control_hosts`.
    """
    settings = settings_of(request)
    expected = settings.control_token
    if expected is None:
        if not is_loopback(request.client.host if request.client else None):
            raise PermissionDenied()
        host = host_name(request.headers.get("host", ""))
        if not (is_loopback(host) or host in LOOPBACK_NAMES or host in settings.control_hosts):
            raise UnknownHost()
    elif not hmac.compare_digest(apikey.encode(), expected.encode()):
        raise AuthenticationFailed()
    return dict(TOKEN_INFO)


def host_name(host: str) -> str:
    """The name in a Host header, lower case, without its port or IPv6 brackets
    (`[::1]:8000` -> `::1`, `LocalHost:80` -> `localhost`).
    """
    try:
        name = urlsplit(f"//{host.strip()}").hostname
    except ValueError:  # an unclosed `[`: no name at all
        return ""
    return (name or "").rstrip(".")


def is_loopback(host: str | None) -> bool:
    """Whether `host` is a loopback address (IPv4 127.0.0.0/8, IPv6 ::1, or IPv4 loopback
    mapped into IPv6); False for a name or no host at all.
    """
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))
