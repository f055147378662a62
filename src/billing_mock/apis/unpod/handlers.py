"""Unpod operations, one function per operationId (openapi/unpod-billing.yaml)."""

from __future__ import annotations

from typing import Any

import connexion

from billing_mock.apis.unpod import wire
from billing_mock.domain.access import organisation_for
from billing_mock.domain.errors import ProductNotFound
from billing_mock.domain.pagination import paginate
from billing_mock.domain.store import Store

DEFAULT_PRODUCT = "unpod.dev"


def get_billing_data(
    store: Store, token_info: dict[str, Any], page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """GET /organisation/billing/ (seed 000 "Get Billing Data").

    In: `Org-Handle` and `Product-Id` headers (connexion validated them), page number
    and size. Out: the `{count, status_code, message, data[]}` envelope. Raises
    OrganisationNotFound (404), PermissionDenied (403), ProductNotFound (404) and
    PageNotFound (404).
    """
    # connexion validates header parameters but does not pass them as arguments.
    headers = connexion.request.headers
    organisation = organisation_for(store, token_info["user"], headers["Org-Handle"])
    product = headers.get("Product-Id", DEFAULT_PRODUCT)
    if product not in organisation.products:
        raise ProductNotFound(product)
    invoices = store.invoices(organisation.handle)
    return wire.billing_data(paginate(invoices, page, page_size))
