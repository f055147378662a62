"""The APIs the mock serves; connexion and `api_for_path` order them by base path."""

from __future__ import annotations

from billing_mock.apis import cognita, control, razorpay, stripe, unpod
from billing_mock.apis.base import ApiModule

APIS: tuple[ApiModule, ...] = (unpod.API, stripe.API, razorpay.API, cognita.API, control.API)


def api_for_path(path: str) -> ApiModule | None:
    """The API whose base path `path` lies under, or None."""
    for api in sorted(APIS, key=lambda api: len(api.base_path), reverse=True):
        if path == api.base_path or path.startswith(api.base_path + "/"):
            return api
    return None


def api_named(name: str) -> ApiModule:
    """The API with this short name; KeyError naming the known ones otherwise."""
    for api in APIS:
        if api.name == name:
            return api
    raise KeyError(f"unknown API {name!r}; known: {', '.join(api.name for api in APIS)}")
