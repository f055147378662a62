"""contract-test's coverage in JUnit: one testcase per operation beside Schemathesis' suite."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from billing_mock.apis.registry import api_named
from billing_mock.contract import coverage, junit

RAZORPAY = api_named("razorpay")
API_URL = "http://deploy.test/api/billing"

SCHEMATHESIS = """<?xml version="1.0" encoding="utf-8"?>
<testsuites disabled="0" errors="0" failures="1" tests="2" time="1.0">
  <testsuite name="schemathesis" errors="0" failures="1" skipped="0" tests="2" time="1.0">
    <testcase name="GET /subscription/me" time="0.5"/>
    <testcase name="GET /subscription" time="0.5"><failure message="x" type="failure"/></testcase>
  </testsuite>
</testsuites>
"""


def rows() -> list[coverage.OperationCoverage]:
    exchanges = [
        ("GET", f"{API_URL}/subscription/me", 200),
        ("GET", f"{API_URL}/subscription/me", 401),
        ("GET", f"{API_URL}/subscription", 403),
    ]
    found = coverage.coverage(RAZORPAY.contract, API_URL, exchanges)
    return [row for row in found if row.operation_id in ("getMySubscription", "listSubscriptions")]


def _add(path: Path, required: bool) -> ET.Element:
    cases = coverage.junit_cases(rows(), required=required)
    junit.add_suite(path, junit.suite(coverage.JUNIT_SUITE, cases))
    return ET.parse(path).getroot()


def test_coverage_is_added_beside_schemathesis_suite_and_totals_follow(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    report.write_text(SCHEMATHESIS, encoding="utf-8")
    root = _add(report, required=False)
    assert [suite.get("name") for suite in root.findall("testsuite")] == [
        "schemathesis",
        "coverage",
    ]
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "1")
    suite = root.find("testsuite[@name='coverage']")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    reached = cases["GET /subscription/me"]
    properties = {p.get("name"): p.get("value") for p in reached.iter("property")}
    assert properties == {
        "operationId": "getMySubscription",
        "documented-2xx": "200",
        "status.200": "1",
        "status.401": "1",
    }
    assert reached.findtext("system-out") == "statuses seen (count): 200 (1), 401 (1)"
    assert reached.find("failure") is None
    assert reached.find("skipped") is None
    skipped = cases["GET /subscription"].find("skipped")
    assert skipped is not None
    assert "never answered a documented 2xx" in (skipped.get("message") or "")


def test_require_coverage_makes_an_unreached_2xx_a_failure_and_a_rerun_replaces_it(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.xml"
    report.write_text(SCHEMATHESIS, encoding="utf-8")
    _add(report, required=False)
    root = _add(report, required=True)
    assert [suite.get("name") for suite in root.findall("testsuite")] == [
        "schemathesis",
        "coverage",
    ]
    assert (root.get("failures"), root.get("skipped")) == ("2", "0")
    failure = root.find("testsuite[@name='coverage']/testcase[@name='GET /subscription']/failure")
    assert failure is not None
    assert "(listSubscriptions) never answered a documented 2xx (200)" in (
        failure.get("message") or ""
    )


def test_a_missing_file_becomes_one_with_the_coverage_alone(tmp_path: Path) -> None:
    root = _add(tmp_path / "new.xml", required=False)
    assert root.tag == "testsuites"
    assert [suite.get("name") for suite in root.findall("testsuite")] == ["coverage"]
