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
    organisation = store.organisation(handle)
    if not user.is_member_of(handle):
        raise PermissionDenied()
    return organisation


ROLE_NAMES = {
    Role.SUPER_ADMIN: "Super Admin",
    Role.OWNER: "Owner",
    Role.ADMIN: "Admin",
    Role.MEMBER: "Member",
}
"""Seed 003's names for the roles."""


def require_role(member: Membership, *allowed: Role) -> Membership:
    """`member` if its role is one of `allowed`; a Super Admin may do anything, and with
    no `allowed` roles only a Super Admin may.

    Raises RoleRequired (403): "This action requires the Owner or Admin role."
    """
    if member.role is Role.SUPER_ADMIN or member.role in allowed:
        return member
    raise RoleRequired(" or ".join(ROLE_NAMES[role] for role in allowed or (Role.SUPER_ADMIN,)))
