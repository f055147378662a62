"""Stripe-backed operations, one function per operationId (openapi/stripe-billing-details.yaml)."""

from __future__ import annotations

import functools
from typing import Any

import connexion
from connexion.lifecycle import ConnexionResponse

from billing_mock.apis.common.invoice_pdf import pdf_response
from billing_mock.apis.stripe import links, pages, wire
from billing_mock.domain.access import organisation_for
from billing_mock.domain.models import Invoice, Organisation
from billing_mock.domain.store import Store
from billing_mock.server.request_state import api_url, settings_of


def get_stripe_billing_details(
    store: Store, token_info: dict[str, Any], org_id: str
) -> dict[str, Any]:
    """GET /organizations/{orgId}/stripe/billing-details (seed 002).

    Out: `{invoices[], paymentMethods[]}`. Raises OrganisationNotFound (404) and
    PermissionDenied (403); a malformed orgId never gets here (contract: 400).
    """
    handle = store.organisation_by_id(org_id).handle
    organisation_for(store, token_info["user"], handle)
    return wire.billing_details(store.account(handle), api_url(), _hosted_ids(store))


def get_hosted_invoice(store: Store, hosted_invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{hostedInvoiceId}: the hosted invoice page, as HTML.

    Raises InvoiceNotFound (404) for a capability id this server's key did not make.
    """
    organisation, invoice = _opened(store, hosted_invoice_id)
    shown = wire.invoice(store.account(organisation.handle), invoice, api_url(), _hosted_ids(store))
    return ConnexionResponse(
        status_code=200,
        mimetype="text/html",
        content_type="text/html; charset=utf-8",
        body=pages.hosted_invoice(organisation, invoice, shown),
    )


def get_invoice_pdf(store: Store, hosted_invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{hostedInvoiceId}/pdf: the invoice as `application/pdf`.

    Raises InvoiceNotFound (404) as get_hosted_invoice does.
    """
    organisation, invoice = _opened(store, hosted_invoice_id)
    number = wire.invoice_number(store.account(organisation.handle), invoice)
    return pdf_response(organisation, invoice, number)


def _key(store: Store) -> bytes:
    secret = settings_of(connexion.request).link_secret
    return links.link_key(secret, store.gateway.key_secret)


def _hosted_ids(store: Store) -> wire.HostedId:
    return functools.partial(links.hosted_id, _key(store), store.seed)


def _opened(store: Store, hosted_invoice_id: str) -> tuple[Organisation, Invoice]:
    reference = links.reference_of(_key(store), store.seed, hosted_invoice_id)
    return store.invoice_by_reference(reference)
