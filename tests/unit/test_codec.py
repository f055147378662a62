"""The state codec: every account and event read back equal, a document that does not fit
the declared types refused (never misread), and the text stable for the same account.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from billing_mock.data.stores import load_stores
from billing_mock.domain import codec
from billing_mock.domain.store import Store

HANDLES = ("recalll.co", "northwind.io", "tinylabs.dev", "sakura.jp", "lumen.studio")


def _moved(seed: int) -> Store:
    store = load_stores(seed).default
    store.advance(lambda now: now.replace(year=now.year + 1))
    return store


@pytest.mark.parametrize("seed", [42, 7])
def test_every_account_and_event_reads_back_equal_and_writes_the_same_text(seed: int) -> None:
    store = _moved(seed)
    for handle in HANDLES:
        account = store.account(handle)
        text = codec.dumps_account(account)
        assert codec.loads_account(text) == account
        assert codec.dumps_account(codec.loads_account(text)) == text
    events = store.events()
    assert events
    for event in events:
        assert codec.loads_event(codec.dumps_event(event)) == event


def _document() -> dict[str, Any]:
    account = _moved(42).account("northwind.io")
    document: dict[str, Any] = json.loads(codec.dumps_account(account))
    return document


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(format=0),
        lambda d: d["account"]["invoices"][0].update(number="7"),
        lambda d: d["account"]["invoices"][0].update(number=True),
        lambda d: d["account"]["invoices"][0].update(status="lost"),
        lambda d: d["account"]["invoices"][0].update(issued_at=3),
        lambda d: d["account"]["invoices"][0]["tax"].update(amount="1.2.3"),
        lambda d: d["account"]["invoices"][0].pop("reference"),
        lambda d: d["account"].update(invoices={}),
    ],
    ids=["format", "str-for-int", "bool-for-int", "enum", "instant", "decimal", "missing", "shape"],
)
def test_a_document_that_does_not_fit_the_types_is_refused(spoil: Any) -> None:
    document = _document()
    spoil(document)
    with pytest.raises(codec.CodecError):
        codec.loads_account(json.dumps(document))
