"""The Swagger UI steering bar's parts, read as data and text: what it offers from a
contract, how its page escapes what it renders, that its script renders no markup, and
that the wheel ships its files. `tests/e2e/test_swagger_steering.py` runs the page.
"""

from __future__ import annotations

import glob
import json
import re
import tomllib
from pathlib import Path

import jinja2
import yaml

from billing_mock.contract.documents import Contract
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.server.swagger_steering import ASSETS, TEMPLATE_DIR, choices
from tests.conftest import ROOT

TINY = {
    "openapi": "3.0.3",
    "info": {"title": "Tiny", "version": "1"},
    "paths": {
        "/a": {
            "get": {
                "operationId": "getA",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"examples": {"one": {"value": 1}}}},
                    },
                    "404": {"$ref": "#/components/responses/NotFound"},
                    "default": {
                        "description": "other",
                        "content": {"application/json": {"examples": {"x": {"value": 0}}}},
                    },
                },
            },
            "post": {"operationId": "postA", "responses": {"201": {"description": "made"}}},
        }
    },
    "components": {
        "responses": {
            "NotFound": {
                "description": "none",
                "content": {"application/json": {"examples": {"gone": {"value": {}}}}},
            }
        }
    },
}


def _contract(tmp_path: Path, document: dict[str, object]) -> Contract:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(document))
    return Contract.from_path(path)


def test_choices_list_codes_named_examples_by_operation_and_scenarios(tmp_path: Path) -> None:
    offered = choices(_contract(tmp_path, TINY))
    assert offered["codes"] == ["200", "201", "404"]  # `default` is no code Prefer takes
    assert offered["operations"] == [
        {
            "operationId": "getA",
            "examples": [{"name": "one", "status": "200"}, {"name": "gone", "status": "404"}],
        }
    ]
    assert [item["name"] for item in offered["scenarios"]] == list(SCENARIOS)
    assert re.fullmatch(offered["sandboxPattern"], "pw-1")
    assert not re.fullmatch(offered["sandboxPattern"], "Pw 1")


def _render(steering: object, spec_url: str) -> str:
    # As connexion renders it: Starlette's Jinja2Templates, which does not autoescape `.j2`.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape()
    )
    return environment.get_template("index.j2").render(
        openapi_spec_url=spec_url, assets=ASSETS, steering=steering
    )


def test_the_page_escapes_what_it_renders() -> None:
    hostile = "</script><script>alert(1)</script>"
    page = _render(
        {"codes": [], "operations": [{"operationId": hostile, "examples": []}]}, '"><b>x'
    )
    assert hostile not in page
    assert "<b>x" not in page
    assert 'data-spec-url="&#34;&gt;&lt;b&gt;x"' in page
    block = re.search(r'id="mock-steering-choices">(.*?)</script>', page, re.S)
    assert block is not None
    assert json.loads(block.group(1))["operations"][0]["operationId"] == hostile


def test_the_script_puts_text_never_markup_in_the_page() -> None:
    script = (TEMPLATE_DIR / "steering.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script)
    for name in (
        TEMPLATE_DIR / "index.j2",
        TEMPLATE_DIR / "steering.js",
        TEMPLATE_DIR / "steering.css",
    ):
        text = name.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{name.name} names another origin"


def test_the_wheel_ships_every_file_of_the_page() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        globs = tomllib.load(file)["tool"]["setuptools"]["package-data"]["billing_mock.server"]
    server = TEMPLATE_DIR.parent
    shipped = {match for pattern in globs for match in glob.glob(pattern, root_dir=server)}
    files = {
        path.relative_to(server).as_posix() for path in TEMPLATE_DIR.iterdir() if path.is_file()
    }
    assert files == {"swagger_ui/index.j2", "swagger_ui/steering.js", "swagger_ui/steering.css"}
    assert files <= shipped
