"""Razorpay's payment signature: hex HMAC-SHA256 of `<orderId>|<paymentId>` with the key secret.

As Razorpay's own `utils.verify_payment_signature` computes it; compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

from billing_mock.domain.errors import InvalidSignature


def payment_signature(key_secret: str, order_id: str, payment_id: str) -> str:
    """The signature Razorpay Checkout returns for this order and payment (64 hex digits)."""
    message = f"{order_id}|{payment_id}".encode()
    return hmac.new(key_secret.encode(), message, hashlib.sha256).hexdigest()


def verify(key_secret: str, order_id: str, payment_id: str, signature: str) -> None:
    """Raise InvalidSignature (400) unless `signature` is this order's and payment's."""
    if not hmac.compare_digest(payment_signature(key_secret, order_id, payment_id), signature):
        raise InvalidSignature()
