"""Cognita operations, one function per operationId (openapi/cognita-billing.yaml)."""

from __future__ import annotations

from typing import Any

from billing_mock.apis.cognita import wire
from billing_mock.domain import billing
from billing_mock.domain.access import membership_of, organisation_for
from billing_mock.domain.models import BillingCycle
from billing_mock.domain.store import Store

FETCHED = "Organization billing details fetched successfully"
PLAN_UPDATED = "Plan updated successfully"


def get_organization_billing(
    store: Store, token_info: dict[str, Any], org_id: str
) -> dict[str, Any]:
    """GET /orgs/{orgId}/billing ("Get Billing Details", seed 004).

    Out: `{status: "ok", message, data: Bill}`. Raises OrganisationNotFound (404) and
    PermissionDenied (403).
    """
    handle = organisation_for(
        store, token_info["user"], store.organisation_by_id(org_id).handle
    ).handle
    account = store.account(handle)
    return _ok(FETCHED, wire.bill(account, store.plan_of(account)))


def update_plan(
    store: Store, token_info: dict[str, Any], org_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST /orgs/{orgId}/billing/plan ("Update Plan", seed 004 sidebar).

    In: `{planId, billingCycle: monthly|yearly}` (the contract validated its shape).
    The bearer token names a user, not a membership: the user's membership of the
    organisation gives the role, and `billing.change_plan` applies the one role rule of
    every API (Owner, Admin or Super Admin). Out: the envelope with the Bill after the
    change, prorated and paid partly by credit as `billing.change_plan` does (an
    upgrade's invoice shows in `invoices`, credit as a negative "Credit applied" line).
    Raises OrganisationNotFound (404), PermissionDenied (403, not a member), RoleRequired
    (403, a Member), PlanNotFound (404), PlanUnchanged and NoActiveSubscription (409);
    state changes only when every check passed.
    """
    handle = store.organisation_by_id(org_id).handle
    member = membership_of(store, token_info["user"], handle)
    account, _ = billing.change_plan(
        store, member, body["planId"], BillingCycle(body["billingCycle"])
    )
    return _ok(PLAN_UPDATED, wire.bill(account, store.plan_of(account)))


def _ok(message: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "message": message, "data": data}
