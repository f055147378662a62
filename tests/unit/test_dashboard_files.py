"""The dashboard's files, read as text: shipped in the wheel, self-contained (no CDN, no
other origin), and never rendering through innerHTML (journal bodies and organisation
names are input from anyone). `tests/e2e/test_dashboard.py` runs the page itself.
"""

from __future__ import annotations

import glob
import re
import tomllib

from tests.conftest import ROOT

DASHBOARD = ROOT / "src" / "billing_mock" / "server" / "dashboard"
FILES = sorted(path for path in DASHBOARD.iterdir() if path.is_file())
XML_NAMESPACES = ("http://www.w3.org/2000/svg",)
"""URLs that name an XML namespace, fetched by nobody."""


def test_the_wheel_ships_every_dashboard_file() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        setuptools = tomllib.load(file)["tool"]["setuptools"]
    assert "billing_mock.server" in setuptools["packages"]
    globs = setuptools["package-data"]["billing_mock.server"]
    server = DASHBOARD.parent
    shipped = {match for pattern in globs for match in glob.glob(pattern, root_dir=server)}
    assert {path.relative_to(server).as_posix() for path in FILES} <= shipped
    assert {"index.html", "app.js", "style.css"} <= {path.name for path in FILES}


def test_nothing_comes_from_another_origin() -> None:
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}[^\s'\"<>)]*", text))
        assert urls <= set(XML_NAMESPACES), f"{path.name}: {sorted(urls)}"
        assert "@import" not in text, path.name


def test_the_page_loads_only_files_that_exist() -> None:
    page = (DASHBOARD / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:src|href)="/dashboard/([^"]+)"', page)
    assert assets, "the page loads no asset"
    for name in assets:
        assert (DASHBOARD / name).is_file(), name
    for script in DASHBOARD.glob("*.js"):
        for name in re.findall(r"from '\./([^']+)'", script.read_text(encoding="utf-8")):
            assert (DASHBOARD / name).is_file(), f"{script.name} imports {name}"


def test_no_script_renders_markup_from_text() -> None:
    for script in DASHBOARD.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        sinks = re.findall(r"\.(?:innerHTML|outerHTML|insertAdjacentHTML|write)\b|\beval\(", text)
        assert not sinks, f"{script.name} uses {sinks}"
    page = (DASHBOARD / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script (the CSP forbids it)"
    assert " style=" not in page, "an inline style (the CSP forbids it)"
