"""Serves the contracts raw (YAML as written, and JSON) and an index page of the APIs."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from billing_mock.server.routing import Mount


class Published(Mount, Protocol):
    """An API as the index page lists it: a Mount with a title."""

    @property
    def title(self) -> str:
        """Its name for people (`Unpod platform billing`)."""
        ...


def add_routes(app: Any, apis: Iterable[Published]) -> None:
    """Add `/`, `/openapi/<contract>.yaml` and `.json` for each of `apis` to a connexion app."""
    apis = tuple(apis)
    for api in apis:
        stem = api.contract.stem
        app.add_url_rule(f"/openapi/{stem}.yaml", f"{stem}-yaml", _yaml_view(api.contract.raw))
        app.add_url_rule(f"/openapi/{stem}.json", f"{stem}-json", _json_view(api.contract.document))
    app.add_url_rule("/", "index", _index_view(apis))


def _yaml_view(raw: bytes) -> Any:
    async def view(_: Request) -> Response:
        return Response(raw, media_type="application/yaml")

    return view


def _json_view(contract: dict[str, Any]) -> Any:
    async def view(_: Request) -> Response:
        return JSONResponse(contract)

    return view


def _index_view(apis: tuple[Published, ...]) -> Any:
    rows = "".join(
        f"<li><strong>{html.escape(api.title)}</strong>: base path "
        f"<code>{api.base_path}</code> &middot; "
        f'<a href="{api.base_path}/ui/">interactive docs</a> &middot; '
        f'<a href="/openapi/{api.contract.name}">YAML</a> &middot; '
        f'<a href="/openapi/{api.contract.stem}.json">JSON</a></li>'
        for api in apis
    )
    page = (
        "<!doctype html><html><head><title>billing-mock</title></head><body>"
        f"<h1>billing-mock</h1><ul>{rows}</ul></body></html>"
    )

    async def view(_: Request) -> Response:
        return HTMLResponse(page)

    return view
