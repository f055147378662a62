"""Stripe-backed operations, one function per operationId (openapi/stripe-billing-details.yaml)."""

from __future__ import annotations

from typing import Any

import connexion
from connexion.lifecycle import ConnexionResponse

from billing_mock.apis.binding import takes_stores
from billing_mock.apis.common.invoice_pdf import pdf_response
from billing_mock.apis.stripe import links, pages, wire
from billing_mock.data.stores import DEFAULT_SANDBOX, Stores
from billing_mock.domain.access import organisation_for
from billing_mock.domain.errors import InvoiceNotFound
from billing_mock.domain.models import Invoice, Organisation
from billing_mock.domain.store import Store
from billing_mock.server.request_state import api_url, settings_of, stores_of
from billing_mock.server.request_state import sandbox_of as request_sandbox


def get_stripe_billing_details(
    store: Store, token_info: dict[str, Any], org_id: str
) -> dict[str, Any]:
    """GET /organizations/{orgId}/stripe/billing-details (seed 002).

    Out: `{invoices[], paymentMethods[]}`. Raises OrganisationNotFound (404) and
    PermissionDenied (403); a malformed orgId never gets here (contract: 400).
    """
    handle = store.organisation_by_id(org_id).handle
    organisation_for(store, token_info["user"], handle)
    hosted = _hosted_ids(store, _request_sandbox())
    return wire.billing_details(store.account(handle), api_url(), hosted)


HOSTED_CACHE_CONTROL = "no-store"
"""The hosted page shows the invoice as it is now (paid or not): no cache keeps it."""


@takes_stores
def get_hosted_invoice(stores: Stores, hosted_invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{hostedInvoiceId}: the hosted invoice page, as HTML, from the
    sandbox the id names (a browser following the link sends no sandbox header).

    Raises InvoiceNotFound (404) for a capability id this server's key did not make, or
    of a sandbox that is gone; no sandbox is made.
    """
    store, sandbox = _sandbox_of(stores, hosted_invoice_id)
    organisation, invoice = _opened(store, hosted_invoice_id)
    hosted = _hosted_ids(store, sandbox)
    shown = wire.invoice(store.account(organisation.handle), invoice, api_url(), hosted)
    return ConnexionResponse(
        status_code=200,
        mimetype="text/html",
        content_type="text/html; charset=utf-8",
        body=pages.hosted_invoice(organisation, invoice, shown),
        headers={"Cache-Control": HOSTED_CACHE_CONTROL},
    )


@takes_stores
def get_invoice_pdf(stores: Stores, hosted_invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{hostedInvoiceId}/pdf: the invoice as `application/pdf`.

    Raises InvoiceNotFound (404) as get_hosted_invoice does.
    """
    store, _ = _sandbox_of(stores, hosted_invoice_id)
    organisation, invoice = _opened(store, hosted_invoice_id)
    number = wire.invoice_number(store.account(organisation.handle), invoice)
    return pdf_response(organisation, invoice, number, {"Cache-Control": HOSTED_CACHE_CONTROL})


def _key(store: Store) -> bytes:
    secret = settings_of(connexion.request).link_secret
    return links.link_key(secret, store.gateway.key_secret)


def _hosted_ids(store: Store, sandbox: str) -> links.HostedIds:
    return links.HostedIds(_key(store), sandbox, store.seed)


def _request_sandbox() -> str:
    """The canonical name of the sandbox serving the current request."""
    stores = stores_of(connexion.request)
    return stores.canonical(request_sandbox(connexion.request) or DEFAULT_SANDBOX)


def _sandbox_of(stores: Stores, hosted_invoice_id: str) -> tuple[Store, str]:
    """The sandbox a capability id names, as it is now; InvoiceNotFound if it is gone."""
    name = links.sandbox_of(hosted_invoice_id)
    store = stores.get(name)
    if store is None or stores.canonical(name) != name:
        raise InvoiceNotFound()
    return store, name


def _opened(store: Store, hosted_invoice_id: str) -> tuple[Organisation, Invoice]:
    reference = links.reference_of(_key(store), store.seed, hosted_invoice_id)
    return store.invoice_by_reference(reference)
