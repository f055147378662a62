"""The APIs the mock serves, and which of them a path is for (sorted once, longest first)."""

from __future__ import annotations

from billing_mock.apis import cognita, control, razorpay, stripe, unpod
from billing_mock.apis.base import ApiModule
from billing_mock.server.routing import Capability, Mounts

APIS: Mounts[ApiModule] = Mounts((unpod.API, stripe.API, razorpay.API, cognita.API, control.API))
"""Every API, in the index page's order; `APIS.for_path` picks one by base path."""


def api_for_path(path: str) -> ApiModule | None:
    """The API whose base path `path` lies under (`/api/billing/x` is the Razorpay-backed
    API's, not Cognita's `/api`), or None.
    """
    return APIS.for_path(path)


def contract_tested() -> list[ApiModule]:
    """The APIs `contract-test` checks (those declaring `Capability.CONTRACT_TESTS`)."""
    return [api for api in APIS if api.takes_part_in(Capability.CONTRACT_TESTS)]


def api_named(name: str) -> ApiModule:
    """The API with this short name; KeyError naming the known ones otherwise."""
    for api in APIS:
        if api.name == name:
            return api
    raise KeyError(f"unknown API {name!r}; known: {', '.join(api.name for api in APIS)}")
