"""Deterministic ids in the payment processor's forms (`in_...`, `pm_...`, `cus_...`, UUIDs).

Derived from a SHA-256 digest of the entity's key, never from hash() or a clock, so an
id is the same in every process and for every request.
"""

from __future__ import annotations

import hashlib
import uuid

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def digest(*key: object) -> bytes:
    """SHA-256 of the key's parts joined with ':'."""
    return hashlib.sha256(":".join(str(part) for part in key).encode()).digest()


def processor_id(prefix: str, length: int, *key: object) -> str:
    """`prefix` + `_` + `length` base-62 characters derived from `key` (`in_1Qx...`)."""
    number = int.from_bytes(digest(prefix, *key), "big")
    characters = []
    for _ in range(length):
        number, index = divmod(number, len(_ALPHABET))
        characters.append(_ALPHABET[index])
    return f"{prefix}_{''.join(characters)}"


def stable_uuid(*key: object) -> str:
    """A version-4-shaped UUID derived from `key`."""
    return str(uuid.UUID(bytes=digest(*key)[:16], version=4))


def invoice_id(organisation: str, number: int) -> int:
    """An invoice's integer id: stable per (organisation handle, number), the same for any seed."""
    return (
        1_000_000
        + int.from_bytes(digest(0, "invoice-id", organisation, number)[:8], "big") % 9_000_000
    )


def invoice_reference(organisation_id: str, number: int) -> str:
    """An invoice's processor id (`in_` + 24 characters), stable per (organisation, number)."""
    return processor_id("in", 24, organisation_id, number)
