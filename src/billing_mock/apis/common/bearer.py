"""Bearer-token lookup shared by the APIs that take `Authorization: Bearer <token>`."""

from __future__ import annotations

from typing import Any

from billing_mock.domain.errors import AuthenticationFailed
from billing_mock.server.request_state import credentials_of


def bearer_token_info(token: str, request: Any) -> dict[str, Any]:
    """Connexion `x-bearerInfoFunc` body: `{"sub": user id, "user": User}` for a fixture
    user's bearer token; raises AuthenticationFailed (401) for any other token. Looked up
    in the default world (`credentials_of`), so a refused request builds no seed's world.
    """
    user = credentials_of(request).user_by_bearer(token.strip())
    if user is None:
        raise AuthenticationFailed()
    return {"sub": user.id, "user": user}
