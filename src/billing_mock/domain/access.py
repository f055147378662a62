"""Who may see which organisation: the membership rule every API applies."""

from __future__ import annotations

from billing_mock.domain.errors import PermissionDenied
from billing_mock.domain.models import Organisation, User
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
