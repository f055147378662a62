"""`rendered`: a wire form made once per value, within a bound."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from billing_mock.apis.common import rendered as rendered_module
from billing_mock.apis.common.rendered import rendered
from billing_mock.data.stores import load_stores


def test_a_form_is_made_once_per_value_and_an_equal_copy_finds_it() -> None:
    made: list[Any] = []

    @rendered
    def form(item: Any, origin: str) -> dict[str, Any]:
        made.append(item)
        return {"id": item.id, "origin": origin}

    invoice = load_stores(42).default.account("northwind.io").invoices[0]
    first = form(invoice, "http://a")
    assert form(invoice, "http://a") is first
    # As a shared state backend decodes it again after another worker's write.
    assert form(copy.deepcopy(invoice), "http://a") is first
    assert form(invoice, "http://b") == {"id": invoice.id, "origin": "http://b"}
    assert len(made) == 2


def test_at_most_forms_kept_are_held(monkeypatch: Any) -> None:
    monkeypatch.setattr(rendered_module, "FORMS_KEPT", 3)
    made: list[int] = []

    @rendered
    def form(number: int) -> str:
        made.append(number)
        return str(number)

    for number in range(5):
        form(number)
    form(4)
    form(0)
    assert made == [0, 1, 2, 3, 4, 0]


def test_a_form_refuses_changes_and_a_deep_copy_of_it_takes_them() -> None:
    @rendered
    def form(number: int) -> dict[str, Any]:
        return {"number": number, "lines": [{"amount": number}], "tags": ["a"]}

    shared = form(7)
    with pytest.raises(TypeError, match="shared"):
        shared["number"] = 8
    with pytest.raises(TypeError, match="shared"):
        shared["lines"][0]["amount"] = 8
    with pytest.raises(TypeError, match="shared"):
        shared["tags"].append("b")
    with pytest.raises(TypeError, match="shared"):
        shared.update(number=8)
    changed = copy.deepcopy(shared)
    changed["lines"][0]["amount"] = 8
    changed["tags"].append("b")
    assert form(7) == {"number": 7, "lines": [{"amount": 7}], "tags": ["a"]}
    assert json.dumps(form(7)) == json.dumps({"number": 7, "lines": [{"amount": 7}], "tags": ["a"]})
