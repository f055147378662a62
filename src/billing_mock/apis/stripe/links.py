"""Capability ids of hosted invoice pages and PDFs: unguessable without the server's key.

Stripe's hosted invoice URLs carry a token only Stripe can make; anyone holding the URL
may open the invoice, nobody can derive it. Here the id is the invoice's own id (`in_`
and 24 characters, public in billing details) and an HMAC-SHA256 of the seed and that id
under the link key: deterministic per seed and key (the same URLs after a restart), and
unforgeable by whoever knows an organisation's id. The key is `Settings.link_secret`, or
else one derived from the fixtures' gateway secret, which is only as secret as the
fixtures: a shared server sets `--link-secret`.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from billing_mock.domain.errors import InvoiceNotFound

_HOSTED = re.compile(r"(in_[A-Za-z0-9]{24})_([0-9a-f]{32})")
_SIGNATURE_HEX = 32


def link_key(link_secret: str | None, gateway_secret: str) -> bytes:
    """The key hosted ids are made with: `link_secret`, else one derived from the
    fixtures' gateway secret (so the default is deterministic, and as secret as they are).
    """
    if link_secret is not None:
        return link_secret.encode()
    return hashlib.sha256(f"hosted-invoice-links:{gateway_secret}".encode()).digest()


def hosted_id(key: bytes, seed: int, reference: str) -> str:
    """`<invoice id>_<32 hex digits>`: the capability id of invoice `reference` (`in_...`)."""
    return f"{reference}_{_signature(key, seed, reference)}"


def reference_of(key: bytes, seed: int, hosted: str) -> str:
    """The invoice id (`in_...`) that capability id `hosted` opens; raises InvoiceNotFound
    (404) for an id this key and seed never made, so a forged id looks like no invoice.
    """
    match = _HOSTED.fullmatch(hosted)
    if match is None or not hmac.compare_digest(
        match.group(2), _signature(key, seed, match.group(1))
    ):
        raise InvoiceNotFound()
    return match.group(1)


def _signature(key: bytes, seed: int, reference: str) -> str:
    digest = hmac.new(key, f"{seed}:{reference}".encode(), hashlib.sha256).hexdigest()
    return digest[:_SIGNATURE_HEX]
