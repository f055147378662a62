"""Stripe-backed operations, one function per operationId (openapi/stripe-billing-details.yaml)."""

from __future__ import annotations

from typing import Any

from connexion.lifecycle import ConnexionResponse

from billing_mock.apis.common.invoice_pdf import pdf_response
from billing_mock.apis.stripe import pages, wire
from billing_mock.domain.access import organisation_for
from billing_mock.domain.store import Store
from billing_mock.server.request_state import api_url


def get_stripe_billing_details(
    store: Store, token_info: dict[str, Any], org_id: str
) -> dict[str, Any]:
    """GET /organizations/{orgId}/stripe/billing-details (seed 002).

    Out: `{invoices[], paymentMethods[]}`. Raises OrganisationNotFound (404) and
    PermissionDenied (403); a malformed orgId never gets here (contract: 400).
    """
    handle = store.organisation_by_id(org_id).handle
    organisation_for(store, token_info["user"], handle)
    return wire.billing_details(store.account(handle), api_url())


def get_hosted_invoice(store: Store, invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{invoiceId}: the hosted invoice page, as HTML. NotFound (404)."""
    organisation, invoice = store.invoice_by_reference(invoice_id)
    shown = wire.invoice(store.account(organisation.handle), invoice, api_url())
    return ConnexionResponse(
        status_code=200,
        mimetype="text/html",
        content_type="text/html; charset=utf-8",
        body=pages.hosted_invoice(organisation, invoice, shown),
    )


def get_invoice_pdf(store: Store, invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{invoiceId}/pdf: the invoice as `application/pdf`. NotFound (404)."""
    organisation, invoice = store.invoice_by_reference(invoice_id)
    number = wire.invoice_number(store.account(organisation.handle), invoice)
    return pdf_response(organisation, invoice, number)
