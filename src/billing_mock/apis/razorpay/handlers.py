"""Razorpay-backed API operations, one function per operationId (openapi/razorpay-billing.yaml).

Each acts for the organisation of the caller's membership (`token_info["membership"]`),
checks the role seed 003 names for it, and runs one `lifecycle` transition through
`Store.update`, so a refused request changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from connexion.lifecycle import ConnexionResponse

from billing_mock.apis.common.invoice_pdf import pdf_response
from billing_mock.apis.razorpay import signature, wire
from billing_mock.domain import billing, lifecycle
from billing_mock.domain.access import require_billing_role, require_role
from billing_mock.domain.errors import InvalidDateRange, InvoiceNotFound, SubscriptionNotFound
from billing_mock.domain.models import Account, BillingCycle, Invoice, Membership, Order, Role
from billing_mock.domain.pagination import page_of
from billing_mock.domain.store import Store
from billing_mock.server.request_state import api_url

PDF_CACHE_CONTROL = "private, max-age=3600"
"""Seed 003: "Cache headers are set for 1 hour"; private, as the invoice is the customer's."""

Body = dict[str, Any]
TokenInfo = dict[str, Any]


def get_my_subscription(store: Store, token_info: TokenInfo) -> Body:
    """GET /subscription/me (any role): the calling organisation's subscription, ended or not."""
    return _subscription(store.account(_member(token_info).organisation), store)


def list_subscriptions(
    store: Store,
    token_info: TokenInfo,
    status: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Body:
    """GET /subscription (Super Admin): subscriptions of the organisations the caller is a
    Super Admin of, in fixture order, optionally one `status` (Razorpay's word); a page
    past the end is empty. Raises RoleRequired (403).
    """
    require_role(_member(token_info))
    items = [_subscription(account, store) for account in _administered(store, token_info)]
    matching = [item for item in items if status is None or item["status"] == status]
    return wire.subscription_list(page_of(matching, page, page_size))


def get_subscription(store: Store, token_info: TokenInfo, id_: str) -> Body:
    """GET /subscription/{id} (Super Admin). RoleRequired (403), SubscriptionNotFound (404)."""
    require_role(_member(token_info))
    return _subscription(_account_with_subscription(store, token_info, id_), store)


def update_subscription(store: Store, token_info: TokenInfo, id_: str, body: Body) -> Body:
    """PATCH /subscription/{id} (Super Admin): set `planId`, `billingCycle` or `notes`
    without proration. Raises RoleRequired (403), SubscriptionNotFound, PlanNotFound
    (404) and SubscriptionEnded (409).
    """
    require_role(_member(token_info))
    handle = _account_with_subscription(store, token_info, id_).organisation.handle
    plan = store.plan(body["planId"]) if "planId" in body else None
    cycle = BillingCycle(body["billingCycle"]) if "billingCycle" in body else None
    account, _ = store.update(
        handle, lambda account: (lifecycle.edit(account, plan, cycle, body.get("notes")), None)
    )
    return _subscription(account, store)


def create_checkout(store: Store, token_info: TokenInfo, body: Body) -> tuple[Body, int]:
    """POST /checkout (Owner, Admin): a Razorpay order for one cycle of `planId`.

    In: `{planId, billingCycle, couponCode?}`. Out (201): the Checkout, with the options
    Razorpay Checkout needs. Raises RoleRequired (403), PlanNotFound (404),
    CouponNotFound, CouponExpired, CouponNotApplicable (400), SubscriptionAlreadyActive (409).
    """
    member = _owner_or_admin(token_info)
    plan = store.plan(body["planId"])
    coupon = store.coupon(body["couponCode"]) if body.get("couponCode") else None
    cycle = BillingCycle(body["billingCycle"])

    def change(account: Account) -> tuple[Account, Order]:
        return lifecycle.checkout(account, plan, cycle, coupon, now=store.now, seed=store.seed)

    account, order = store.update(member.organisation, change)
    return wire.checkout(order, plan, account, token_info["user"], store.gateway), 201


def confirm_checkout(store: Store, token_info: TokenInfo, body: Body) -> Body:
    """POST /checkout/confirm (Owner, Admin): verify Razorpay's signature, then activate
    (billing.confirm_checkout).

    In: `{paymentId, orderId, signature}`. Out: the Confirmation; the same payment again
    returns the first confirmation's body, whatever changed since. Raises RoleRequired
    (403), InvalidSignature (400, before anything is looked up), OrderNotFound (404, also
    an expired unpaid order), OrderAlreadyPaid, PaymentAlreadyCaptured (any
    organisation's), SubscriptionAlreadyActive and CreditUnavailable (409).
    """
    member = _owner_or_admin(token_info)
    order_id, payment_id = body["orderId"], body["paymentId"]
    signature.verify(store.gateway.key_secret, order_id, payment_id, body["signature"])
    account, result = billing.confirm_checkout(store, member.organisation, order_id, payment_id)
    plan = store.plan(result.subscription.plan_id)
    return wire.confirmation(result, account.organisation, plan, api_url())


def change_plan(store: Store, token_info: TokenInfo, body: Body) -> Body:
    """POST /plan-change (Owner, Admin): switch plan, prorated (see billing.change_plan).

    In: `{planId, billingCycle?}` (default: the current cycle). Out: the PlanChange.
    Raises RoleRequired (403, billing.change_plan's role rule), PlanNotFound (404),
    NoActiveSubscription and PlanUnchanged (409).
    """
    cycle = BillingCycle(body["billingCycle"]) if "billingCycle" in body else None
    account, result = billing.change_plan(store, _member(token_info), body["planId"], cycle)
    return wire.plan_change(result, account, store.plan_of(account), api_url())


def cancel_subscription(
    store: Store, token_info: TokenInfo, body: Body | bytes | None = None
) -> Body:
    """POST /cancel (Owner, Admin): at period end unless `{"cancelAtCycleEnd": false}`.

    The body is optional (connexion passes b"" when none was sent). Raises RoleRequired
    (403), NoActiveSubscription and CancellationAlreadyScheduled (409).
    """
    member = _owner_or_admin(token_info)
    options = body if isinstance(body, dict) else {}
    at_period_end = bool(options.get("cancelAtCycleEnd", True))
    account, _ = store.update(
        member.organisation,
        lambda account: (
            lifecycle.cancel(account, at_period_end=at_period_end, now=store.now),
            None,
        ),
    )
    return _subscription(account, store)


def resume_subscription(store: Store, token_info: TokenInfo) -> Body:
    """POST /resume (Owner, Admin): undo a cancellation at period end.

    Raises RoleRequired (403), NotScheduledForCancellation and SubscriptionEnded (409).
    """
    member = _owner_or_admin(token_info)
    account, _ = store.update(
        member.organisation, lambda account: (lifecycle.resume(account, now=store.now), None)
    )
    return _subscription(account, store)


def get_invoice_pdf(store: Store, token_info: TokenInfo, id_: str) -> ConnexionResponse:
    """GET /invoices/{id}/pdf (Owner, Admin): the invoice as `application/pdf`, cached 1 hour.

    Raises RoleRequired (403) and InvoiceNotFound (404, also for another organisation's
    invoice: its existence is not revealed).
    """
    account = store.account(_owner_or_admin(token_info).organisation)
    invoice = _invoice(account, id_)
    number = wire.invoice_number(invoice)
    return pdf_response(account.organisation, invoice, number, {"Cache-Control": PDF_CACHE_CONTROL})


def export_payments(
    store: Store, token_info: TokenInfo, from_: str | None = None, to: str | None = None
) -> ConnexionResponse:
    """GET /payments/export (Owner, Admin): the organisation's payments from `from_` to `to`
    (ISO 8601 dates, inclusive; default: all history up to the mock's today), oldest
    first, as an RFC 4180 CSV attachment. Raises RoleRequired (403) and
    InvalidDateRange (400: a malformed date, or `from` after `to`).
    """
    account = store.account(_owner_or_admin(token_info).organisation)
    oldest = account.payments[-1].created_at.date() if account.payments else store.now.date()
    end = _date("to", to) if to is not None else store.now.date()
    start = _date("from", from_) if from_ is not None else min(oldest, end)
    if start > end:
        raise InvalidDateRange()
    chosen = [item for item in reversed(account.payments) if start <= item.created_at.date() <= end]
    filename = f"payments-{account.organisation.handle}-{start.isoformat()}-{end.isoformat()}.csv"
    return ConnexionResponse(
        status_code=200,
        mimetype="text/csv",
        content_type="text/csv; charset=utf-8",
        body=wire.payments_csv(chosen, account.invoices),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _member(token_info: TokenInfo) -> Membership:
    member: Membership = token_info["membership"]
    return member


def _owner_or_admin(token_info: TokenInfo) -> Membership:
    return require_billing_role(_member(token_info))


def _subscription(account: Account, store: Store) -> Body:
    return wire.subscription(account, store.plan_of(account))


def _administered(store: Store, token_info: TokenInfo) -> list[Account]:
    """Accounts of the organisations where the caller is a Super Admin, in fixture order."""
    handles = {m.organisation for m in token_info["user"].memberships if m.role is Role.SUPER_ADMIN}
    return [store.account(org.handle) for org in store.organisations() if org.handle in handles]


def _account_with_subscription(store: Store, token_info: TokenInfo, reference: str) -> Account:
    for account in _administered(store, token_info):
        if account.subscription.reference == reference:
            return account
    raise SubscriptionNotFound()


def _invoice(account: Account, identity: str) -> Invoice:
    for invoice in account.invoices:
        if wire.invoice_id(invoice.reference) == identity:
            return invoice
    raise InvoiceNotFound()


def _date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidDateRange(
            f"{name} is not a date of the calendar: {value}", field=name
        ) from None
