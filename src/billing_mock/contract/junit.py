"""JUnit XML testsuites of our own, written with the stdlib, beside Schemathesis' in one file.

CI shows a JUnit file as tests passed, failed and skipped; `contract-test` adds what it
covered (one testcase per operation) to Schemathesis' report, and `proxy` writes what it
saw. Both describe a case the same way (`Case`), so the files read alike.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Case:
    """One testcase: passed, or with a `failure` or `skipped` message (not both).

    name        what it is about (`GET /subscription/me`)
    classname   the suite's name, as CI tools group by it (`coverage`)
    properties  name -> value facts (`documented-2xx`: `200`, `status.403`: `12`)
    output      text for `<system-out>` ("" for none)
    detail      the longer text of a failure or skip ("" for none)
    """

    name: str
    classname: str
    properties: Mapping[str, str] = field(default_factory=dict)
    output: str = ""
    failure: str | None = None
    skipped: str | None = None
    detail: str = ""


def suite(name: str, cases: Sequence[Case]) -> ET.Element:
    """A `<testsuite>` named `name` holding `cases`, with its tests/failures/skipped counts."""
    element = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(sum(case.failure is not None for case in cases)),
        errors="0",
        skipped=str(sum(case.skipped is not None for case in cases)),
        time="0",
    )
    for case in cases:
        element.append(_testcase(case))
    return element


def _testcase(case: Case) -> ET.Element:
    element = ET.Element("testcase", name=case.name, classname=case.classname, time="0")
    if case.properties:
        properties = ET.SubElement(element, "properties")
        for key, value in case.properties.items():
            ET.SubElement(properties, "property", name=key, value=value)
    if case.failure is not None:
        ET.SubElement(element, "failure", message=case.failure, type="failure").text = case.detail
    elif case.skipped is not None:
        ET.SubElement(element, "skipped", message=case.skipped).text = case.detail or None
    if case.output:
        ET.SubElement(element, "system-out").text = case.output
    return element


def add_suite(path: Path, testsuite: ET.Element) -> None:
    """Append `testsuite` to the JUnit file at `path` (a new `<testsuites>` when there is
    none yet), replacing a suite of the same name, and update the root's totals.

    Raises OSError as reading and writing do, ET.ParseError for a file that is not XML.
    """
    root = ET.parse(path).getroot() if path.exists() else ET.Element("testsuites")
    if root.tag == "testsuite":  # a single-suite file: wrap it
        wrapper = ET.Element("testsuites")
        wrapper.append(root)
        root = wrapper
    for old in root.findall(f"testsuite[@name='{testsuite.get('name')}']"):
        root.remove(old)
    root.append(testsuite)
    for total in ("tests", "failures", "errors", "skipped"):
        root.set(total, str(sum(int(each.get(total, "0")) for each in root.iter("testsuite"))))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
