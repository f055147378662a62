"""Serves the contracts raw (YAML as written, and JSON) and an index page of the APIs."""

from __future__ import annotations

import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from billing_mock.apis.registry import APIS
from billing_mock.contracts import OPENAPI_DIR, document


def add_routes(app: Any) -> None:
    """Add `/`, `/openapi/<spec>.yaml` and `/openapi/<spec>.json` to a connexion app."""
    for api in APIS:
        raw = (OPENAPI_DIR / api.spec).read_bytes()
        stem = api.spec.removesuffix(".yaml")
        app.add_url_rule(f"/openapi/{stem}.yaml", f"{stem}-yaml", _yaml_view(raw))
        app.add_url_rule(f"/openapi/{stem}.json", f"{stem}-json", _json_view(document(api.spec)))
    app.add_url_rule("/", "index", _index)


def _yaml_view(raw: bytes) -> Any:
    async def view(_: Request) -> Response:
        return Response(raw, media_type="application/yaml")

    return view


def _json_view(contract: dict[str, Any]) -> Any:
    async def view(_: Request) -> Response:
        return JSONResponse(contract)

    return view


async def _index(_: Request) -> Response:
    rows = "".join(
        f"<li><strong>{html.escape(api.title)}</strong>: base path "
        f"<code>{api.base_path}</code> &middot; "
        f'<a href="{api.base_path}/ui/">interactive docs</a> &middot; '
        f'<a href="/openapi/{api.spec}">YAML</a> &middot; '
        f'<a href="/openapi/{api.spec.removesuffix(".yaml")}.json">JSON</a></li>'
        for api in APIS
    )
    return HTMLResponse(
        "<!doctype html><html><head><title>billing-mock</title></head><body>"
        f"<h1>billing-mock</h1><ul>{rows}</ul></body></html>"
    )
