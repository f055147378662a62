"""Each API's Swagger UI page as served: the steering bar on the vendor APIs only, its
files, the bundle's files, and the served contracts left as they are.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from billing_mock.apis.registry import APIS
from billing_mock.server.routing import Capability
from billing_mock.server.swagger_steering import ASSETS, BUNDLE_FILES, choices
from tests.conftest import OPENAPI

STEERED = [api for api in APIS if api.takes_part_in(Capability.STEERING)]
STEERING_HEADERS = {"prefer", "x-mock-scenario", "x-mock-sandbox"}
_CHOICES = re.compile(
    r'<script type="application/json" id="mock-steering-choices">(.*?)</script>', re.S
)


def _parameter_names(document: dict[str, Any]) -> set[str]:
    """Every parameter name in a contract, at path and operation level, `$ref`s followed."""

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            found: Any = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                found = found[part]
            node = found
        return node

    names = {
        resolve(p)["name"].lower()
        for p in document.get("components", {}).get("parameters", {}).values()
    }
    for item in document["paths"].values():
        for key, value in item.items():
            entries = (
                value
                if key == "parameters"
                else value.get("parameters", [])
                if isinstance(value, dict)
                else []
            )
            names |= {resolve(entry)["name"].lower() for entry in entries}
    return names


@pytest.mark.parametrize("api", STEERED, ids=lambda api: api.name)
def test_a_vendor_api_ui_has_the_bar_listing_its_contract(client: TestClient, api: Any) -> None:
    page = client.get(f"{api.base_path}/ui/")
    assert page.status_code == 200
    assert 'id="mock-steering"' in page.text
    assert f'data-spec-url="{api.base_path}/openapi.json"' in page.text
    found = _CHOICES.search(page.text)
    assert found is not None
    assert json.loads(found.group(1)) == choices(api.contract)
    # No inline script: every script is a file of this origin, or the JSON data block.
    for tag in re.findall(r"<script[^>]*>", page.text):
        assert 'type="application/json"' in tag or re.search(r'src="(\./|/swagger-ui/)', tag), tag
    for path in ("steering.js", "steering.css"):
        assert client.get(f"{api.base_path}/ui/{path}").status_code == 200


def test_the_control_api_keeps_connexion_s_page(client: TestClient) -> None:
    page = client.get("/__mock/ui/")
    assert page.status_code == 200
    assert "mock-steering" not in page.text
    assert client.get("/__mock/ui/swagger-ui-bundle.js").status_code == 200


def test_the_bundle_s_files_are_served_once_for_every_api_and_no_others(client: TestClient) -> None:
    media = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for name in BUNDLE_FILES:
        answer = client.get(f"{ASSETS}/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(media[name[name.rindex(".") :]])
        assert len(answer.content) > 100
    for name in ("index.j2", "swagger-ui-bundle.js.map", "../__init__.py", "oauth2-redirect.html"):
        assert client.get(f"{ASSETS}/{name}").status_code == 404, name


@pytest.mark.parametrize("api", STEERED, ids=lambda api: api.name)
def test_the_served_contracts_do_not_document_the_steering_headers(
    client: TestClient, api: Any
) -> None:
    stem = api.contract.stem
    raw = client.get(f"/openapi/{stem}.yaml")
    assert raw.content == (OPENAPI / api.contract.name).read_bytes()
    for served in (
        client.get(f"/openapi/{stem}.json").json(),
        client.get(f"{api.base_path}/openapi.json").json(),
    ):
        assert served["paths"].keys() == yaml.safe_load(raw.content)["paths"].keys()
        assert not _parameter_names(served) & STEERING_HEADERS


def test_requests_from_the_page_are_steered_by_the_headers_it_adds(client: TestClient) -> None:
    key = {"X-API-Key": "bmk_30ad7e29f4ae54bbc956d62580a5a9ad"}
    # What the page's interceptor sends when "failed-payment" and a sandbox are picked.
    steered = client.get(
        "/api/billing/subscription/me",
        headers={**key, "X-Mock-Scenario": "failed-payment", "X-Mock-Sandbox": "swagger-ui"},
    )
    assert steered.json()["status"] == "pending"
    example = client.get(
        "/api/billing/subscription/me", headers={**key, "Prefer": "code=200, example=inTrial"}
    )
    assert example.json()["status"] == "authenticated"
