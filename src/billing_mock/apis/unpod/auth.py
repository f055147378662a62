"""Unpod's `Authorization`: `jwt <session JWT>` (seed 000) or `Token <API token>` (seed 001)."""

from __future__ import annotations

from typing import Any

from billing_mock.domain.errors import AuthenticationFailed
from billing_mock.server.request_state import credentials_of


def authenticate(apikey: str, request: Any) -> dict[str, Any]:
    """Connexion's `x-apikeyInfoFunc` for the UnpodAuthorization scheme.

    In: the whole `Authorization` header value. Out: token info `{"sub": user id,
    "user": User}`, which connexion hands to the handler as `token_info`. Raises
    AuthenticationFailed (401, "Invalid token.") for an unknown scheme word, a missing
    token, or a token that no fixture user holds under that scheme word. Looked up in
    the default world (`credentials_of`), so a refused request builds no seed's world.
    """
    store = credentials_of(request)
    scheme, _, token = apikey.strip().partition(" ")
    lookups = {"jwt": store.user_by_jwt, "token": store.user_by_api_token}
    lookup = lookups.get(scheme.lower())
    user = lookup(token.strip()) if lookup else None
    if user is None:
        raise AuthenticationFailed()
    return {"sub": user.id, "user": user}
