"""Cognita operations, one function per operationId (openapi/cognita-billing.yaml)."""

from __future__ import annotations

from typing import Any

from billing_mock.apis.cognita import wire
from billing_mock.domain import lifecycle
from billing_mock.domain.access import organisation_for
from billing_mock.domain.models import Account, BillingCycle
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
    return _ok(FETCHED, wire.bill(account, store.plan(account.subscription.plan_id)))


def update_plan(
    store: Store, token_info: dict[str, Any], org_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST /orgs/{orgId}/billing/plan ("Update Plan", seed 004 sidebar).

    In: `{planId, billingCycle: monthly|yearly}` (the contract validated its shape).
    Out: the envelope with the Bill after the change, prorated as `lifecycle.change_plan`
    does (an upgrade's invoice shows in `invoices`). Raises OrganisationNotFound,
    PlanNotFound (404), PermissionDenied (403), PlanUnchanged (409) and
    NoActiveSubscription (409); state changes only when every check passed.
    """
    handle = organisation_for(
        store, token_info["user"], store.organisation_by_id(org_id).handle
    ).handle
    new_plan = store.plan(body["planId"])
    cycle = BillingCycle(body["billingCycle"])

    def change(account: Account) -> tuple[Account, lifecycle.PlanChange]:
        old_plan = store.plan(account.subscription.plan_id)
        return lifecycle.change_plan(
            account, old_plan, new_plan, cycle, now=store.as_of, seed=store.seed
        )

    account, _ = store.update(handle, change)
    return _ok(PLAN_UPDATED, wire.bill(account, new_plan))


def _ok(message: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "message": message, "data": data}
