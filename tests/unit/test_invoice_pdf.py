"""The invoice PDF is a function of the invoice: no wall clock in its bytes or metadata."""

from __future__ import annotations

import io

from pypdf import PdfReader

from billing_mock.apis.common.invoice_pdf import invoice_pdf
from billing_mock.data.stores import load_stores


def test_the_pdf_is_dated_by_the_invoice_and_the_same_bytes_every_time() -> None:
    store = load_stores(42).default
    account = store.account("recalll.co")
    invoice = account.invoices[0]
    first = invoice_pdf(account.organisation, invoice, "INV-00118")
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None
    assert metadata.creation_date == invoice.issued_at.replace(microsecond=0)
    assert invoice_pdf(account.organisation, invoice, "INV-00118") == first
