"""The control token (`X-Mock-Control-Token`): the one credential of the control API.

With a token configured, only that token is accepted. With none, any value is accepted
from a loopback client (127.0.0.0/8, ::1) and nothing from anywhere else: connexion
answers 401 before this runs when the header is absent, so a local caller still sends
one (`X-Mock-Control-Token: local`).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from billing_mock.domain.errors import AuthenticationFailed, PermissionDenied
from billing_mock.server.request_state import settings_of

TOKEN_INFO = {"sub": "control"}


def control_token(apikey: str, request: Any) -> dict[str, str]:
    """Connexion's `x-apikeyInfoFunc` for ControlToken: the `X-Mock-Control-Token` value.

    Out: token info `{"sub": "control"}`. Raises AuthenticationFailed (401) for a token
    other than the configured one, PermissionDenied (403) for a caller that is not on
    loopback when no token is configured.
    """
    expected = settings_of(request).control_token
    if expected is None:
        if not is_loopback(request.client.host if request.client else None):
            raise PermissionDenied()
    elif not hmac.compare_digest(apikey.encode(), expected.encode()):
        raise AuthenticationFailed()
    return dict(TOKEN_INFO)


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
