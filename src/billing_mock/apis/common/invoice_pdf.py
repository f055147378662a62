"""Invoice documents: a PDF of an invoice, rendered with fpdf2, and the response that sends it."""

from __future__ import annotations

from collections.abc import Mapping

from connexion.lifecycle import ConnexionResponse

from billing_mock.domain.models import Invoice, Organisation
from billing_mock.domain.money import Money


def pdf_response(
    organisation: Organisation,
    invoice: Invoice,
    number: str,
    headers: Mapping[str, str] | None = None,
) -> ConnexionResponse:
    """200 `application/pdf`: `invoice_pdf`, shown inline as `<number>.pdf`, with `headers`
    added (the Razorpay-backed API's Cache-Control).
    """
    return ConnexionResponse(
        status_code=200,
        mimetype="application/pdf",
        content_type="application/pdf",
        body=invoice_pdf(organisation, invoice, number),
        headers={**(headers or {}), "Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


def invoice_pdf(organisation: Organisation, invoice: Invoice, number: str) -> bytes:
    """A one-page PDF of `invoice`: `number` as the API shows it, dates, line items, tax, total.

    Amounts are printed in major units with the ISO 4217 code (`1357.35 INR`). The
    document is dated by the invoice's issue time, so the same invoice is the same bytes.
    """
    # Imported on first use: fpdf2 costs a quarter of a second and ~10 MB at start-up.
    from fpdf import FPDF

    pdf = FPDF()
    # fpdf2 stamps the wall clock by default; the invoice's own date keeps the bytes stable.
    pdf.set_creation_date(invoice.issued_at)
    pdf.set_title(f"Invoice {number}")
    pdf.set_author(organisation.name)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, f"Invoice {number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for label, value in (
        ("Billed to", f"{organisation.name} <{organisation.billing_email}>"),
        ("Issued", invoice.issued_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Due", invoice.due_at.strftime("%Y-%m-%d")),
        ("Period", f"{invoice.period_start.isoformat()} to {invoice.period_end.isoformat()}"),
        ("Status", invoice.status.value.replace("_", " ")),
    ):
        pdf.cell(30, 6, label)
        pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(110, 7, "Description", border="B")
    pdf.cell(20, 7, "Qty", border="B", align="R")
    pdf.cell(0, 7, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for item in invoice.line_items:
        pdf.cell(110, 7, _latin1(item.description))
        pdf.cell(20, 7, str(item.quantity), align="R")
        pdf.cell(0, 7, _amount(item.amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, amount in (
        ("Subtotal", invoice.subtotal),
        (f"Tax ({invoice.tax_rate}%)", invoice.tax),
        ("Total", invoice.total),
    ):
        pdf.cell(130, 7, label, align="R")
        pdf.cell(0, 7, _amount(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _amount(money: Money) -> str:
    return f"{money.major_string()} {money.currency}"


def _latin1(text: str) -> str:
    # The core PDF fonts cover Latin-1 only; names in other scripts degrade to '?'.
    return text.encode("latin-1", "replace").decode("latin-1")
