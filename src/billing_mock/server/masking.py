"""Secrets shown in part (`bmk_30ad…a9ad`), wherever the request journal shows a request.

Two rules, applied together: the values of the headers that carry credentials
(`SECRET_HEADERS`) are always masked, whatever they hold (an unknown token too); and every
occurrence of a known secret (the fixtures' credentials, the gateway's key secret, the
control token, the link secret: `known_secrets`) is masked wherever it appears, in any
other header, a path, a query or a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from billing_mock.data.fixtures import FixtureSet
from billing_mock.settings import Settings

ELLIPSIS = "…"
SHOWN_FROM = 24
"""A secret is shown in part, its first HEAD and last TAIL characters, only when it has at
least this many, so at least half of it (twelve characters or more) is always hidden; a
shorter one is shown as `…` alone."""
HEAD = 8
TAIL = 4
KNOWN_FROM = 8
"""Known secrets shorter than this are not searched for in text: a short value (`local`)
would mask ordinary words, and guessing it needs no journal."""
PARTIAL_FROM = 4
"""Characters of a known secret's start that, ending a cut text, are taken for it."""

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-mock-control-token",
    }
)
"""Headers (lower case) whose values are masked whatever they hold."""

AUTHORIZATION_KINDS = frozenset({"jwt", "token", "bearer", "basic"})
"""`Authorization` scheme words named as a credential's kind; another word is `authorization`."""

SESSION_COOKIE = "session"


@dataclass(frozen=True, slots=True)
class Credential:
    """The credential a request carried: its kind and its masked value.

    kind    `jwt`, `token`, `bearer` or `basic` (the `Authorization` scheme word, lower
            case), `authorization` (another scheme), `apiKey` (`X-API-Key`) or `session`
            (the `session` cookie)
    masked  the value as `mask` shows it, without the scheme word (`bmk_30ad…a9ad`)
    """

    kind: str
    masked: str


def mask(secret: str) -> str:
    """`secret` shown in part: `bmk_30ad7e29f4ae54bbc956d62580a5a9ad` -> `bmk_30ad…a9ad`;
    `…` for one shorter than SHOWN_FROM characters, `` for none.
    """
    if not secret:
        return ""
    if len(secret) < SHOWN_FROM:
        return ELLIPSIS
    return secret[:HEAD] + ELLIPSIS + secret[-TAIL:]


def known_secrets(fixtures: FixtureSet, settings: Settings) -> Iterator[str]:
    """Every secret the server knows: each user's JWT, API token and bearer token, each
    membership's API key and session, the gateway's key secret, the control token and the
    link secret (when set).
    """
    for user in fixtures.users:
        yield from (user.jwt, user.api_token, user.bearer)
        for member in user.memberships:
            yield from (member.api_key, member.session)
    yield fixtures.gateway.key_secret
    yield from (secret for secret in (settings.control_token, settings.link_secret) if secret)


class Masking:
    """Masks header values and text, knowing `secrets` (see the module docstring)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = sorted({item for item in secrets if len(item) >= KNOWN_FROM}, key=len, reverse=True)
        self._secrets = tuple(known)
        # One alternation, longest first, so a secret that contains another is masked whole.
        self._known = re.compile("|".join(map(re.escape, known))) if known else None

    def text(self, text: str, truncated: bool = False) -> str:
        """`text` with every known secret in it masked; when the text was `truncated`, a
        known secret the cut went through (its start ends the text) too.
        """
        if self._known is None:
            return text
        masked = self._known.sub(lambda found: mask(found.group()), text)
        return self._without_cut_secret(masked) if truncated else masked

    def _without_cut_secret(self, text: str) -> str:
        for secret in self._secrets:
            for length in range(min(len(secret) - 1, len(text)), PARTIAL_FROM - 1, -1):
                if text.endswith(secret[:length]):
                    return text[:-length] + ELLIPSIS
        return text

    def header(self, name: str, value: str) -> str:
        """The value of header `name` (lower case) as the journal shows it: a credential
        header's value masked (the `Authorization` scheme word and cookie names kept,
        Set-Cookie's attributes too), any other value with known secrets masked.
        """
        if name in ("authorization", "proxy-authorization"):
            scheme, space, credential = value.strip().partition(" ")
            return f"{scheme} {mask(credential.strip())}" if space else mask(value)
        if name == "cookie":
            return "; ".join(_cookie(pair) for pair in value.split(";"))
        if name == "set-cookie":
            pair, semicolon, attributes = value.partition(";")
            return _cookie(pair) + semicolon + attributes
        if name in SECRET_HEADERS:
            return mask(value)
        return self.text(value)


def credential_of(headers: Mapping[str, str]) -> Credential | None:
    """The credential `headers` (lower-case names) carry, first found of `Authorization`,
    `X-API-Key` and the `session` cookie; None without any.
    """
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, space, value = authorization.strip().partition(" ")
        word = scheme.lower()
        if not space:
            return Credential("authorization", mask(authorization))
        return Credential(word if word in AUTHORIZATION_KINDS else "authorization", mask(value))
    api_key = headers.get("x-api-key")
    if api_key is not None:
        return Credential("apiKey", mask(api_key))
    for pair in headers.get("cookie", "").split(";"):
        name, equals, value = pair.strip().partition("=")
        if equals and name == SESSION_COOKIE:
            return Credential("session", mask(value))
    return None


def _cookie(pair: str) -> str:
    name, equals, value = pair.strip().partition("=")
    return f"{name}={mask(value)}" if equals else mask(name)
