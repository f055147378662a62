"""Use cases written once, for every API that offers them or for the whole Store: the
prorated plan change and the checkout confirmation.

Seed 003's `POST /plan-change` and seed 004's "Update Plan" are the same change of the
same subscription, under the same role rule; both APIs call `change_plan` and only word
the answer their own way. `confirm_checkout` checks a payment id against every
organisation of the Store, as the gateway's payment ids are unique across it.
"""

from __future__ import annotations

from billing_mock.domain import lifecycle
from billing_mock.domain.access import require_billing_role
from billing_mock.domain.models import Account, BillingCycle, Confirmation, Membership
from billing_mock.domain.store import Store


def change_plan(
    store: Store, member: Membership, plan_id: str, cycle: BillingCycle | None = None
) -> tuple[Account, lifecycle.PlanChange]:
    """Move `member`'s organisation to plan `plan_id`, billed every `cycle` (None: the
    current cycle), prorated at the store's "now" (see `lifecycle.change_plan`).

    `member` is the caller's membership of the organisation: only an Owner, Admin or
    Super Admin may change the plan (access.BILLING_ROLES), whichever API is called.
    Out: the Account after the change and the PlanChange (proration, credit applied; the
    invoice of a positive net and the payment of a positive amount due, in the
    organisation's currency). Raises RoleRequired (403, first), OrganisationNotFound,
    PlanNotFound (404), NoActiveSubscription and PlanUnchanged (409); nothing changes
    unless every check passed.
    """
    require_billing_role(member)
    new_plan = store.plan(plan_id)

    def change(account: Account) -> tuple[Account, lifecycle.PlanChange]:
        chosen = cycle or account.subscription.billing_cycle
        return lifecycle.change_plan(
            account, store.plan_of(account), new_plan, chosen, now=store.now, seed=store.seed
        )

    return store.update(member.organisation, change)


def confirm_checkout(
    store: Store, handle: str, order_id: str, payment_id: str
) -> tuple[Account, Confirmation]:
    """Confirm organisation `handle`'s order `order_id` as paid by gateway payment
    `payment_id` (see `lifecycle.confirm`), at the store's "now"; the caller verified
    the payment's signature and the role.

    The payment id is checked against every organisation's payments under the Store's
    lock, in the same `update` that records it, so two confirms of one payment id (in
    two organisations, at once) capture it once. Raises OrderNotFound (404),
    OrderAlreadyPaid, PaymentAlreadyCaptured, SubscriptionAlreadyActive and
    CreditUnavailable (409); the same payment for the same order again returns the
    first Confirmation.
    """

    def change(account: Account) -> tuple[Account, Confirmation]:
        return lifecycle.confirm(
            account,
            order_id,
            payment_id,
            now=store.now,
            seed=store.seed,
            captured=store.payment_captured,
        )

    return store.update(handle, change)
