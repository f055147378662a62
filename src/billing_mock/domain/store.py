"""The mock's state: the fixtures plus what generation built from them for one seed.

Passed in to `create_app`, never a module global; `reset()` returns it to the state the
fixtures and the seed define.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from billing_mock.domain.errors import OrganisationNotFound
from billing_mock.domain.models import Invoice, Organisation, Plan, User

InvoiceSource = Callable[[Organisation, Plan], list[Invoice]]
"""Builds an organisation's invoice history, newest first (see generation.py)."""


class Store:
    """Organisations, users and invoices of one running mock.

    `invoice_source` builds each organisation's history at reset; the store only keeps
    and looks up. Lookups raise domain errors (OrganisationNotFound) or return None
    (unknown credentials), never KeyError.
    """

    def __init__(
        self,
        *,
        organisations: Sequence[Organisation],
        plans: Mapping[str, Plan],
        users: Sequence[User],
        invoice_source: InvoiceSource,
        seed: int,
        as_of: datetime,
    ) -> None:
        self.seed = seed
        self.as_of = as_of
        self._organisations = {org.handle: org for org in organisations}
        self._plans = dict(plans)
        self._users = tuple(users)
        self._by_jwt = {user.jwt: user for user in users}
        self._by_api_token = {user.api_token: user for user in users}
        self._invoice_source = invoice_source
        self._invoices: dict[str, list[Invoice]] = {}
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Rebuild every organisation's invoices from the fixtures and the seed."""
        invoices = {
            handle: self._invoice_source(org, self._plans[org.plan_id])
            for handle, org in self._organisations.items()
        }
        with self._lock:
            self._invoices = invoices

    def organisation(self, handle: str) -> Organisation:
        """The organisation with this handle; raises OrganisationNotFound."""
        try:
            return self._organisations[handle]
        except KeyError:
            raise OrganisationNotFound(handle) from None

    def organisations(self) -> list[Organisation]:
        """Every organisation, in fixture order."""
        return list(self._organisations.values())

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id (fixtures guarantee every referenced plan exists)."""
        return self._plans[plan_id]

    def users(self) -> tuple[User, ...]:
        """Every user, in fixture order."""
        return self._users

    def user_by_jwt(self, token: str) -> User | None:
        """The user whose session JWT this is, or None."""
        return self._by_jwt.get(token)

    def user_by_api_token(self, token: str) -> User | None:
        """The user whose API token this is, or None."""
        return self._by_api_token.get(token)

    def invoices(self, handle: str) -> Sequence[Invoice]:
        """The organisation's invoices, newest first; raises OrganisationNotFound."""
        self.organisation(handle)
        with self._lock:
            return tuple(self._invoices[handle])
