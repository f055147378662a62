"""A Razorpay Checkout stand-in: `/razorpay/v1/checkout.js` and the one call it makes on Pay.

A page loads the stand-in instead of `https://checkout.razorpay.com/v1/checkout.js` and
keeps its code: `new Razorpay(options)` with the `razorpay` options `POST /checkout`
returned, `.on('payment.failed', cb)`, `.open()`; `docs/checkout.md` has the snippet.
On Pay the script asks `POST /razorpay/v1/standin/payments` for what Razorpay's servers
would hand Checkout after a captured payment, and gives it to `options.handler`:

    in   {"key_id": "rzp_test_...", "order_id": "order_..."}   (JSON, at most BODY_LIMIT bytes)
         X-Mock-Sandbox: <name>        optional: the sandbox the order was made in
    200  {"razorpay_payment_id": "pay_...", "razorpay_order_id": "order_...",
          "razorpay_signature": "<hex HMAC-SHA256 of order_id|payment_id, key secret>"}
    400  input_validation_failed (not a JSON object of two short strings), unknown_key
    404  order_not_found (no such unpaid order in that sandbox; an unknown sandbox too)
    409  order_already_paid
    413  the body is larger than BODY_LIMIT

Both routes are mock-only (in no vendor contract) and sit under no API's base path, so
the server's CORS for other localhost ports applies to them (`server/cors.py`) and the
request journal, the response cache and steering do not. The endpoint takes no
credential, so it changes and allocates nothing: the payment id is derived from the
seed and the order id (the same clicks give the same ids), the order is only read, an
unknown sandbox is not made, and the payment is recorded by the page's own
`POST /checkout/confirm`, as with the real Checkout. Errors are Razorpay's envelope
(`errors.error_body`). Source: Razorpay Checkout docs (web integration: options,
handler, `payment.failed`; error codes).
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from billing_mock.apis.razorpay import errors, signature
from billing_mock.data.stores import SANDBOX_NAME
from billing_mock.domain.errors import (
    BillingMockError,
    InvalidRequest,
    OrderAlreadyPaid,
    OrderNotFound,
)
from billing_mock.domain.identifiers import processor_id
from billing_mock.domain.models import OrderStatus
from billing_mock.domain.store import Store
from billing_mock.server.errors import Failure, failure_from
from billing_mock.server.request_state import stores_of
from billing_mock.server.steering import SANDBOX_INVALID, shown

SCRIPT_PATH = "/razorpay/v1/checkout.js"
"""The stand-in script: the real one's path, on the mock's origin."""
PAYMENTS_PATH = "/razorpay/v1/standin/payments"
"""Where the script asks for a payment id and signature on Pay (mock-only)."""

BODY_LIMIT = 1024
"""Bytes the payments body may have: two ids fit in a tenth of it."""
ID_LIMIT = 64
"""Characters `key_id` and `order_id` may have (Razorpay's are under 30)."""

BODY_INVALID = (
    'Send a JSON object {"key_id": "...", "order_id": "..."}: two strings of 1 to 64 '
    "characters, nothing else"
)
BODY_TOO_LARGE = f"Request body too large: at most {BODY_LIMIT} bytes"
UNKNOWN_KEY = "The key_id {value} is not this gateway's key id"

SCRIPT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # A newer server's script is fetched again, never a stale copy mixed with new routes.
    "Cache-Control": "no-cache",
}


class UnknownKey(InvalidRequest):
    """The `key_id` is not the gateway's public key id (a page on another key's options)."""


def add_routes(app: Any) -> None:
    """Add SCRIPT_PATH (GET) and PAYMENTS_PATH (POST) to a connexion app.

    The script is package data (`apis/razorpay/checkout.js`), read once here.
    """
    script = (files("billing_mock.apis.razorpay") / "checkout.js").read_bytes()

    async def checkout_js(_: Request) -> Response:
        return Response(script, headers=SCRIPT_HEADERS, media_type="text/javascript")

    app.add_url_rule(SCRIPT_PATH, "razorpay-checkout-js", checkout_js)
    app.add_url_rule(PAYMENTS_PATH, "razorpay-standin-payments", payments, methods=["POST"])


async def payments(request: Request) -> Response:
    """POST PAYMENTS_PATH: the payment Razorpay would report for this order (see the
    module docstring for the shapes and errors); reads state, writes none.
    """
    try:
        key_id, order_id = _ids(await request.body())
        answer = standin_payment(_store(request), key_id, order_id)
    except _Refused as refused:
        return _error(refused.failure)
    except BillingMockError as error:
        return _error(failure_from(error))
    return JSONResponse(answer)


class _Refused(Exception):
    """A body this endpoint cannot read, as the Failure to answer with."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _error(failure: Failure) -> Response:
    return JSONResponse(errors.error_body(failure), status_code=failure.status)


def standin_payment(store: Store | None, key_id: str, order_id: str) -> dict[str, str]:
    """What Razorpay hands `handler` once `order_id` is paid: `razorpay_payment_id`
    (`pay_` + 14 characters from the store's seed and the order id),
    `razorpay_order_id` and `razorpay_signature` (signature.payment_signature).

    `store` None is a sandbox that does not exist: it holds no order. Raises UnknownKey
    (400) unless `key_id` is `store.gateway.key_id`, OrderNotFound (404: none, or
    expired) and OrderAlreadyPaid (409), checking in that order.
    """
    if store is None:
        raise OrderNotFound(field="order_id")
    if key_id != store.gateway.key_id:
        raise UnknownKey(UNKNOWN_KEY.format(value=shown(key_id)), field="key_id")
    status = _order_status(store, order_id)
    if status is None or status is OrderStatus.EXPIRED:
        raise OrderNotFound(field="order_id")
    if status is OrderStatus.PAID:
        raise OrderAlreadyPaid(field="order_id")
    # Not the wall clock nor randomness: the same order gives the same payment, and a
    # second Pay before confirm gives the ids confirm already accepts once.
    payment_id = processor_id("pay", 14, store.seed, "checkout-standin", order_id)
    return {
        "razorpay_payment_id": payment_id,
        "razorpay_order_id": order_id,
        "razorpay_signature": signature.payment_signature(
            store.gateway.key_secret, order_id, payment_id
        ),
    }


def _ids(body: bytes) -> tuple[str, str]:
    """`key_id` and `order_id` from the body; _Refused (413 over BODY_LIMIT, else 400
    `input_validation_failed`, as the Razorpay-backed API's own schema errors) otherwise.
    """
    if len(body) > BODY_LIMIT:  # the server's own limit, far larger, applies first
        raise _Refused(Failure(413, BODY_TOO_LARGE, "PayloadTooLarge"))
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or too deep for Python
        raise _Refused(Failure(400, BODY_INVALID, "BadRequest")) from None
    if not isinstance(parsed, dict) or set(parsed) != {"key_id", "order_id"}:
        raise _Refused(Failure(400, BODY_INVALID, "BadRequest"))
    for name in ("key_id", "order_id"):
        value = parsed[name]
        if not isinstance(value, str) or not 0 < len(value) <= ID_LIMIT:
            raise _Refused(Failure(400, BODY_INVALID, "BadRequest", field=name))
    return parsed["key_id"], parsed["order_id"]


def _store(request: Request) -> Store | None:
    """The Store `X-Mock-Sandbox` names (the default one without it), if it exists:
    `Stores.get` makes none, so an unauthenticated caller cannot fill the sandbox slots.
    """
    name = request.headers.get("x-mock-sandbox")
    stores = stores_of(request)
    if name is None:
        return stores.default
    if not SANDBOX_NAME.fullmatch(name):
        raise InvalidRequest(SANDBOX_INVALID.format(value=shown(name)), field="X-Mock-Sandbox")
    return stores.get(name)


def _order_status(store: Store, order_id: str) -> OrderStatus | None:
    """The status of the order `order_id` in any organisation of `store`, or None."""
    for organisation in store.organisations():
        for order in store.account(organisation.handle).orders:
            if order.id == order_id:
                return order.status
    return None
