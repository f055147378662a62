"""Who may do what: the membership rule every API applies, and seed 003's roles."""

from __future__ import annotations

from billing_mock.domain.errors import PermissionDenied, RoleRequired
from billing_mock.domain.models import Membership, Organisation, Role, User
from billing_mock.domain.store import Store


def organisation_for(store: Store, user: User, handle: str) -> Organisation:
    """The organisation `handle` if `user` belongs to it.

    Raises OrganisationNotFound for an unknown handle (checked first, as the real
    servers look the organisation up before its members) and PermissionDenied when the
    user is not a member.
    """
    return store.organisation(membership_of(store, user, handle).organisation)


def membership_of(store: Store, user: User, handle: str) -> Membership:
    """`user`'s membership of the organisation `handle`: the role a bearer-token caller
    (who holds no per-organisation credential) acts with there.

    Raises OrganisationNotFound for an unknown handle (first) and PermissionDenied when
    the user is not a member.
    """
    store.organisation(handle)
    for member in user.memberships:
        if member.organisation == handle:
            return member
    raise PermissionDenied()


ROLE_NAMES = {
    Role.SUPER_ADMIN: "Super Admin",
    Role.OWNER: "Owner",
    Role.ADMIN: "Admin",
    Role.MEMBER: "Member",
}
"""Seed 003's names for the roles."""

BILLING_ROLES = (Role.OWNER, Role.ADMIN)
"""Seed 003: the roles that may change an organisation's billing (checkout, confirm, plan
change, cancel, resume) and see its documents; a Super Admin may too. Every API that
writes the shared subscription applies this one rule (`require_billing_role`)."""


def require_role(member: Membership, *allowed: Role) -> Membership:
    """`member` if its role is one of `allowed`; a Super Admin may do anything, and with
    no `allowed` roles only a Super Admin may.

    Raises RoleRequired (403): "This action requires the Owner or Admin role."
    """
    if member.role is Role.SUPER_ADMIN or member.role in allowed:
        return member
    raise RoleRequired(" or ".join(ROLE_NAMES[role] for role in allowed or (Role.SUPER_ADMIN,)))


def require_billing_role(member: Membership) -> Membership:
    """`member` if it may manage the organisation's billing (BILLING_ROLES, or a Super
    Admin); raises RoleRequired (403) for a Member.
    """
    return require_role(member, *BILLING_ROLES)
