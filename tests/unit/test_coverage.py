"""Coverage of a contract-test run: the statuses each operation answered, by its template."""

from __future__ import annotations

import json
from pathlib import Path

from billing_mock.contract.coverage import coverage, statuses_from_har, table
from billing_mock.contract.documents import contract

API = "http://127.0.0.1:8000/api/billing"
RAZORPAY = contract("razorpay-billing.yaml")


def _by_id(exchanges: list[tuple[str, str, int]]) -> dict[str, dict[int, int]]:
    return {row.operation_id: dict(row.seen) for row in coverage(RAZORPAY, API, exchanges)}


def test_exchanges_are_counted_by_operation_and_status() -> None:
    seen = _by_id(
        [
            ("GET", f"{API}/subscription/me", 200),
            ("GET", f"{API}/subscription/me?x=1", 200),
            ("GET", f"{API}/subscription/sub_ABC", 403),
            ("PATCH", f"{API}/subscription/me", 405),
            ("GET", "http://127.0.0.1:8000/api/orgs/x/billing", 200),  # another API
            ("GET", f"{API}/nowhere", 404),  # no operation
        ]
    )
    assert seen["getMySubscription"] == {200: 2}
    assert seen["getSubscription"] == {403: 1}
    assert seen["updateSubscription"] == {405: 1}
    assert seen["listSubscriptions"] == {}
    assert sum(sum(counts.values()) for counts in seen.values()) == 4


def test_an_operation_that_never_reached_a_documented_2xx_is_named() -> None:
    rows = coverage(
        RAZORPAY,
        API,
        [("GET", f"{API}/subscription/me", 200), ("GET", f"{API}/subscription", 403)],
    )
    reached = {row.operation_id: row.success_reached for row in rows}
    assert reached["getMySubscription"]
    assert not reached["listSubscriptions"]
    shown = table(rows)
    assert (
        "| GET /subscription (`listSubscriptions`) | 200 | 403 (1) **2xx never reached** |" in shown
    )
    assert (
        "warning: GET /subscription (listSubscriptions) never answered a documented 2xx (200)"
        in shown
    )
    assert "warning: GET /subscription/me " not in shown


def test_a_har_file_gives_method_url_and_status(tmp_path: Path) -> None:
    har = tmp_path / "run.har"
    entry = {"request": {"method": "POST", "url": f"{API}/cancel"}, "response": {"status": 409}}
    har.write_text(json.dumps({"log": {"entries": [entry]}}))
    assert statuses_from_har(har) == [("POST", f"{API}/cancel", 409)]
