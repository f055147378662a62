"""Each steered API's Swagger UI, with a bar picking Prefer, X-Mock-Scenario, X-Mock-Sandbox."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from connexion.options import SwaggerUIOptions, default_template_dir
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from billing_mock.contract.documents import Contract
from billing_mock.data.stores import SANDBOX_NAME
from billing_mock.domain.scenarios import SCENARIOS
from billing_mock.server.routing import Capability, Mount

TEMPLATE_DIR = Path(__file__).with_name("swagger_ui")
"""The page (`index.j2`), the bar's script and its style sheet (package data). connexion
both renders `index.j2` from it and serves its other files under `<base>/ui/`."""

ASSETS = "/swagger-ui"
"""Where Swagger UI's own files (from the `swagger_ui_bundle` package) are served, once for
every API: connexion serves them only from the template directory, and ours holds just the
bar."""

BUNDLE_FILES = (
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-ui.css",
    "favicon-32x32.png",
    "favicon-16x16.png",
)
"""The bundle's files the page loads; nothing else of that folder is served (its source
maps are 5 MB and only a debugger asks for them)."""

_STATUS = re.compile(r"[1-5][0-9][0-9]")


def swagger_ui_options(api: Mount, path: str) -> SwaggerUIOptions:
    """How connexion serves `api`'s Swagger UI at `<base><path>/`.

    An API that takes part in steering gets the page with the steering bar, listing what
    its contract documents; another (the control API, whose contract documents its one
    header, X-Mock-Sandbox) gets connexion's page unchanged.
    """
    if not api.takes_part_in(Capability.STEERING):
        return SwaggerUIOptions(swagger_ui_path=path)
    return SwaggerUIOptions(
        swagger_ui_path=path,
        swagger_ui_template_dir=str(TEMPLATE_DIR),
        swagger_ui_template_arguments={"assets": ASSETS, "steering": choices(api.contract)},
    )


def choices(contract: Contract) -> dict[str, Any]:
    """What the bar offers for one API, as the page reads it (JSON).

    `codes`: every status the contract documents, ascending; `operations`: for each
    operation with named examples, its operationId and each example's name and status,
    in the contract's order; `scenarios`: name and description of each scenario; and
    `sandboxPattern`, what a sandbox name may be (the page marks another as invalid).
    """
    codes: set[str] = set()
    operations = []
    for operation in contract.operations.values():
        examples = []
        for status, response in operation.responses.items():
            if not _STATUS.fullmatch(status):
                continue  # `default`: Prefer takes only a code
            codes.add(status)
            for content in contract.resolve(response).get("content", {}).values():
                examples += [
                    {"name": name, "status": status} for name in content.get("examples", {})
                ]
        if examples:
            operations.append({"operationId": operation.operation_id, "examples": examples})
    return {
        "codes": sorted(codes),
        "operations": operations,
        "scenarios": [
            {"name": scenario.name, "description": scenario.description}
            for scenario in SCENARIOS.values()
        ],
        "sandboxPattern": SANDBOX_NAME.pattern,
    }


def add_routes(app: Any, files: Iterable[str] = BUNDLE_FILES) -> None:
    """Serve the bundle's `files` under ASSETS on a connexion app."""
    for name in files:
        app.add_url_rule(f"{ASSETS}/{name}", f"swagger-ui-{name}", _bundle_view(name))


def _bundle_view(name: str) -> Any:
    # Streamed from the installed package, not held in memory: the bundle is 1 MB.
    path = Path(str(default_template_dir)) / name

    async def view(_: Request) -> Response:
        return FileResponse(path)

    return view
