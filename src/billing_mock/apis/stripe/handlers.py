"""Stripe-backed operations, one function per operationId (openapi/stripe-billing-details.yaml)."""

from __future__ import annotations

import html
from typing import Any

from connexion.lifecycle import ConnexionResponse

from billing_mock.apis.stripe import wire
from billing_mock.documents import invoice_pdf
from billing_mock.domain.access import organisation_for
from billing_mock.domain.store import Store
from billing_mock.request_state import request_origin


def get_stripe_billing_details(
    store: Store, token_info: dict[str, Any], org_id: str
) -> dict[str, Any]:
    """GET /organizations/{orgId}/stripe/billing-details (seed 002).

    Out: `{invoices[], paymentMethods[]}`. Raises OrganisationNotFound (404) and
    PermissionDenied (403); a malformed orgId never gets here (contract: 400).
    """
    handle = store.organisation_by_id(org_id).handle
    organisation_for(store, token_info["user"], handle)
    return wire.billing_details(store.account(handle), request_origin())


def get_hosted_invoice(store: Store, invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{invoiceId}: the hosted invoice page, as HTML. NotFound (404)."""
    organisation, invoice = store.invoice_by_reference(invoice_id)
    account = store.account(organisation.handle)
    body = wire.invoice(account, invoice, request_origin())
    rows = "".join(
        f"<tr><td>{html.escape(item.description)}</td><td>{item.quantity}</td>"
        f"<td>{item.amount.major_string()} {item.amount.currency}</td></tr>"
        for item in invoice.line_items
    )
    page = (
        f"<!doctype html><html><head><title>Invoice {body['number']}</title></head><body>"
        f"<h1>Invoice {body['number']}</h1><p>{html.escape(organisation.name)}</p>"
        f"<p>Status: {body['status']} &middot; Due {body['dueAt']}</p>"
        f"<table>{rows}</table>"
        f"<p>Tax: {invoice.tax.major_string()} {invoice.currency}</p>"
        f"<p><strong>Total: {invoice.total.major_string()} {invoice.currency}</strong></p>"
        f'<p><a href="{body["invoicePdf"]}">Download PDF</a></p></body></html>'
    )
    return ConnexionResponse(
        status_code=200, mimetype="text/html", content_type="text/html; charset=utf-8", body=page
    )


def get_invoice_pdf(store: Store, invoice_id: str) -> ConnexionResponse:
    """GET /stripe/invoices/{invoiceId}/pdf: the invoice as `application/pdf`. NotFound (404)."""
    organisation, invoice = store.invoice_by_reference(invoice_id)
    number = wire.invoice_number(store.account(organisation.handle), invoice)
    return ConnexionResponse(
        status_code=200,
        mimetype="application/pdf",
        content_type="application/pdf",
        body=invoice_pdf(organisation, invoice, number),
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )
