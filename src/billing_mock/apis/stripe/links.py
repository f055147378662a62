"""Capability ids of hosted invoice pages and PDFs: unguessable without the server's key.

Stripe's hosted invoice URLs carry a token only Stripe can make; anyone holding the URL
may open the invoice, nobody can derive it. Here the id is the invoice's own id (`in_`
and 24 characters, public in billing details), the sandbox it is in, and an HMAC-SHA256
of the sandbox, its seed and that id under the link key: deterministic per sandbox, seed
and key (the same URLs after a restart), unforgeable by whoever knows an organisation's
id, and opening the invoice in the sandbox that showed it, never another one. The key is
`Settings.link_secret`, or else one derived from the fixtures' gateway secret, which is
only as secret as the fixtures: a shared server sets `--link-secret`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from billing_mock.domain.errors import InvoiceNotFound

_HOSTED = re.compile(r"(in_[A-Za-z0-9]{24})_([a-z0-9][a-z0-9-]{0,62})_([0-9a-f]{32})")
_SIGNATURE_HEX = 32


def link_key(link_secret: str | None, gateway_secret: str) -> bytes:
    """The key hosted ids are made with: `link_secret`, else one derived from the
    fixtures' gateway secret (so the default is deterministic, and as secret as they are).
    """
    if link_secret is not None:
        return link_secret.encode()
    return hashlib.sha256(f"hosted-invoice-links:{gateway_secret}".encode()).digest()


def hosted_id(key: bytes, sandbox: str, seed: int, reference: str) -> str:
    """`<invoice id>_<sandbox>_<32 hex digits>`: the capability id of invoice `reference`
    (`in_...`) in `sandbox` (generated for `seed`). A browser following the link sends no
    sandbox header, so the id names its sandbox itself.
    """
    return f"{reference}_{sandbox}_{_signature(key, sandbox, seed, reference)}"


@dataclass(frozen=True, slots=True)
class HostedIds:
    """`hosted_id` for one key, sandbox and seed: an invoice id (`in_...`) -> its
    capability id. A value (hashable), so the wire forms it enters can be rendered once.
    """

    key: bytes
    sandbox: str
    seed: int

    def __call__(self, reference: str) -> str:
        """The capability id of invoice `reference` in this sandbox."""
        return hosted_id(self.key, self.sandbox, self.seed, reference)


def sandbox_of(hosted: str) -> str:
    """The sandbox a capability id names; InvoiceNotFound (404) for an id of another form."""
    match = _HOSTED.fullmatch(hosted)
    if match is None:
        raise InvoiceNotFound()
    return match.group(2)


def reference_of(key: bytes, seed: int, hosted: str) -> str:
    """The invoice id (`in_...`) that capability id `hosted` opens in its sandbox (whose
    seed is `seed`); raises InvoiceNotFound (404) for an id this key did not make, so a
    forged id looks like no invoice.
    """
    match = _HOSTED.fullmatch(hosted)
    if match is None:
        raise InvoiceNotFound()
    reference, sandbox, signature = match.groups()
    if not hmac.compare_digest(signature, _signature(key, sandbox, seed, reference)):
        raise InvoiceNotFound()
    return reference


def _signature(key: bytes, sandbox: str, seed: int, reference: str) -> str:
    message = f"{sandbox}:{seed}:{reference}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_SIGNATURE_HEX]
