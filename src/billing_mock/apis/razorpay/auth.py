"""The two credentials of seed 003: an API key (`X-API-Key` header) and a session cookie.

Each belongs to one membership (user, organisation, role) and acts for that organisation.
Both are looked up in the default world (`credentials_of`), the same in every seed's, so
a refused request builds no seed's world.
"""

from __future__ import annotations

from typing import Any

from billing_mock.domain.errors import AuthenticationFailed
from billing_mock.domain.models import Membership, User
from billing_mock.server.request_state import credentials_of


def api_key(apikey: str, request: Any) -> dict[str, Any]:
    """Connexion's `x-apikeyInfoFunc` for ApiKeyAuth: the `X-API-Key` header value.

    Out: token info `{"sub": user id, "user": User, "membership": Membership}`.
    Raises AuthenticationFailed (401) for a key no fixture membership holds.
    """
    return _token_info(credentials_of(request).member_by_api_key(apikey.strip()))


def session(apikey: str, request: Any) -> dict[str, Any]:
    """Connexion's `x-apikeyInfoFunc` for SessionAuth: the `session` cookie's value.

    Out and errors as `api_key`.
    """
    return _token_info(credentials_of(request).member_by_session(apikey.strip()))


def _token_info(found: tuple[User, Membership] | None) -> dict[str, Any]:
    if found is None:
        raise AuthenticationFailed()
    user, membership = found
    return {"sub": user.id, "user": user, "membership": membership}
