"""Use cases that more than one API offers, written once: the prorated plan change.

Seed 003's `POST /plan-change` and seed 004's "Update Plan" are the same change of the
same subscription; both APIs call `change_plan` and only word the answer their own way.
"""

from __future__ import annotations

from billing_mock.domain import lifecycle
from billing_mock.domain.models import Account, BillingCycle
from billing_mock.domain.store import Store


def change_plan(
    store: Store, handle: str, plan_id: str, cycle: BillingCycle | None = None
) -> tuple[Account, lifecycle.PlanChange]:
    """Move organisation `handle` to plan `plan_id`, billed every `cycle` (None: the
    current cycle), prorated at the store's "now" (see `lifecycle.change_plan`).

    Out: the Account after the change and the PlanChange (proration; the invoice and
    payment of a positive amount due, in the organisation's currency). Raises
    OrganisationNotFound, PlanNotFound (404), NoActiveSubscription and PlanUnchanged
    (409); nothing changes unless every check passed.
    """
    new_plan = store.plan(plan_id)

    def change(account: Account) -> tuple[Account, lifecycle.PlanChange]:
        chosen = cycle or account.subscription.billing_cycle
        return lifecycle.change_plan(
            account, store.plan_of(account), new_plan, chosen, now=store.as_of, seed=store.seed
        )

    return store.update(handle, change)
