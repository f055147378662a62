"""The proxy's report: bounded examples, counters that go on, masked secrets, JSON and JUnit."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

from billing_mock.apis.registry import api_named
from billing_mock.proxy import checks
from billing_mock.proxy.checks import Sent, Violation
from billing_mock.proxy.report import EXAMPLES_PER_RULE, Exchange, Report

UNPOD = api_named("unpod")
PATH = "/api/v2/platform/organisation/billing/"
JWT = "jwt eyJhbGciOiJIUzI1NiJ9.secret.part"


def exchange(violations: list[Violation], body: bytes = b"", status: int = 200) -> Exchange:
    headers = [("authorization", JWT), ("org-handle", "recalll.co"), ("content-length", "2")]
    return Exchange(
        api="unpod",
        operation=UNPOD.contract.operations["getBillingData"],
        sent=Sent("GET", PATH, "page=1", dict(headers), body),
        url=f"http://upstream.test{PATH}?page=1",
        forwarded=headers,
        status=status,
        source="upstream",
        violations=violations,
    )


FLOAT = Violation(checks.BODY, "response.body", "$.data[0].amount", "1.5 is not of type 'string'")


def report(show_secrets: bool = False) -> Report:
    return Report("http://upstream.test", [("unpod", UNPOD.contract)], show_secrets=show_secrets)


def test_examples_are_bounded_and_counters_are_not() -> None:
    seen = report()
    for _ in range(50):
        lines = seen.record(exchange([FLOAT]))
        assert len(lines) == 1
    seen.record(exchange([]))
    data = seen.as_json()
    assert data["totals"]["exchanges"] == 51
    assert data["totals"]["with_violations"] == 50
    assert data["violations"] == {checks.BODY: 50}
    row = next(row for row in data["operations"] if row["operationId"] == "getBillingData")
    assert row["exchanges"] == 51
    assert row["statuses"] == {"200": 51}
    assert len(row["examples"]) == EXAMPLES_PER_RULE
    assert row["examples"][0]["path"] == "$.data[0].amount"
    assert row["examples"][0]["request"] == f"GET {PATH}?page=1"


def test_a_violation_line_names_operation_rule_path_and_a_masked_curl() -> None:
    (line,) = report().record(exchange([FLOAT]))
    assert line.startswith(
        f"violation unpod getBillingData {checks.BODY} response.body $.data[0].amount: "
    )
    curl = line.partition("reproduce: ")[2]
    words = shlex.split(curl)
    assert words[:4] == ["curl", "-X", "GET", f"http://upstream.test{PATH}?page=1"]
    assert "authorization: jwt [masked]" in words
    assert "org-handle: recalll.co" in words
    assert not any(word.startswith("content-length") for word in words)
    assert "secret" not in line


def test_show_secrets_reproduces_the_credential_and_the_body() -> None:
    curl = report(show_secrets=True).curl(exchange([], body=b'{"planId": "growth"}'))
    words = shlex.split(curl)
    assert f"authorization: {JWT}" in words
    assert words[-2:] == ["--data-binary", '{"planId": "growth"}']


def test_a_body_not_read_or_too_long_is_left_out_of_the_curl_and_said_so() -> None:
    assert "not shown" in report().curl(exchange([], body=b"x" * 5000))


def test_junit_fails_operations_with_violations_and_skips_those_without_traffic(
    tmp_path: Path,
) -> None:
    seen = report()
    seen.record(exchange([FLOAT]))
    undocumented = Violation(checks.UNDOCUMENTED_PATH, "request.path", "$", "/x is no path")
    seen.record(
        Exchange(
            "unpod",
            None,
            Sent("GET", "/api/v2/platform/x", "", {}, b""),
            "u",
            [],
            404,
            "upstream",
            [undocumented],
        )
    )
    json_file, junit_file = seen.write(tmp_path / "out")
    assert json.loads(json_file.read_text())["totals"]["violations"] == 2
    root = ET.parse(junit_file).getroot()
    assert root.tag == "testsuites"
    assert root.get("failures") == "2"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "proxy.unpod"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failure = cases["GET /organisation/billing/"].find("failure")
    assert failure is not None
    assert failure.get("message") == f"{checks.BODY} (1)"
    assert "curl" in (failure.text or "")
    assert cases["* (undocumented)"].find("failure") is not None
