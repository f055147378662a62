"""contract-test's headers: for every API, or with an API's name first for that API alone."""

from __future__ import annotations

import pytest

from billing_mock.contract.runner import headers_by_api

APIS = ["unpod", "stripe", "razorpay", "cognita"]


def test_a_line_with_an_apis_name_first_is_that_apis_alone() -> None:
    found = headers_by_api(
        [
            "X-Trace: 1",
            "unpod:Authorization: jwt abc",
            "stripe: Authorization: Bearer s:t",
            "razorpay:X-API-Key: bmk_1",
        ],
        APIS,
    )
    assert found == {
        None: {"X-Trace": "1"},
        "unpod": {"Authorization": "jwt abc"},
        "stripe": {"Authorization": "Bearer s:t"},
        "razorpay": {"X-API-Key": "bmk_1"},
    }


def test_a_name_that_is_no_api_is_an_ordinary_header() -> None:
    assert headers_by_api(["Authorization: jwt a:b", "paypal:X: 1"], APIS) == {
        None: {"Authorization": "jwt a:b", "paypal": "X: 1"},
    }


def test_a_scoped_line_without_a_header_is_refused() -> None:
    with pytest.raises(ValueError, match="not a 'Name: value' header"):
        headers_by_api(["unpod:: value"], APIS)
