"""Hosted invoice pages and PDFs are capability URLs that only the server's key makes:
knowing an organisation's id and an invoice's number or id is not enough to open one.
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.domain.identifiers import invoice_reference
from billing_mock.settings import Settings
from tests.conftest import fixture_users

RECALLL_ID = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"
DETAILS = f"/v1/organizations/{RECALLL_ID}/stripe/billing-details"
BEARER = {"Authorization": f"Bearer {fixture_users()['priya.sharma@recalll.co']['bearer']}"}


def _newest(client: TestClient) -> dict[str, Any]:
    invoice: dict[str, Any] = client.get(DETAILS, headers=BEARER).json()["invoices"][0]
    return invoice


def test_the_advertised_links_open_the_invoice(client: TestClient) -> None:
    invoice = _newest(client)
    assert client.get(invoice["hostedInvoiceUrl"]).status_code == 200
    assert client.get(invoice["invoicePdf"]).headers["content-type"] == "application/pdf"


def test_a_link_derived_from_public_facts_opens_nothing(client: TestClient) -> None:
    invoice = _newest(client)
    number = int(invoice["number"].rsplit("-", 1)[1])
    guessed = invoice_reference(RECALLL_ID, number)
    assert guessed == invoice["id"]  # the id is public: it is no credential
    for path in (f"/v1/stripe/invoices/{guessed}", f"/v1/stripe/invoices/{guessed}/pdf"):
        assert client.get(path).status_code in (400, 404)
    forged = invoice["hostedInvoiceUrl"][:-4] + "0000"
    assert client.get(forged).status_code == 404
    assert client.get(forged).json()["message"] == "Invoice not found"


def test_the_links_depend_on_the_secret_and_are_stable_for_it() -> None:
    def links(secret: str | None) -> tuple[str, int]:
        app = create_app(load_stores(42), Settings(link_secret=secret))
        with TestClient(app) as client:
            url = _newest(client)["hostedInvoiceUrl"]
            return url, client.get(url).status_code

    default, ours, again, theirs = links(None), links("ours"), links("ours"), links("theirs")
    assert ours == again
    assert len({default[0], ours[0], theirs[0]}) == 3
    assert {default[1], ours[1], theirs[1]} == {200}
    app = create_app(load_stores(42), Settings(link_secret="theirs"))
    with TestClient(app) as client:
        assert client.get(ours[0]).status_code == 404


def test_a_link_opens_the_sandbox_that_listed_it_and_makes_none() -> None:
    stores = load_stores(42)
    with TestClient(create_app(stores)) as client:
        listed = client.get(DETAILS, headers={**BEARER, "X-Mock-Sandbox": "alice"}).json()
        url = listed["invoices"][0]["hostedInvoiceUrl"]
        assert "_alice_" in url
        # A browser sends no sandbox header, or another one: the page is still alice's.
        assert client.get(url).status_code == 200
        assert client.get(url, headers={"X-Mock-Sandbox": "bob"}).status_code == 200
        assert [name for name, _ in stores.listing()] == ["default", "alice"]
        stores.delete("alice")
        assert client.get(url).status_code == 404
        forged = url.replace("_alice_", "_mallory_")
        assert client.get(forged).status_code == 404
        assert client.get(forged, headers={"X-Mock-Seed": "77"}).status_code == 404
        assert [name for name, _ in stores.listing()] == ["default"], "nothing was made"
