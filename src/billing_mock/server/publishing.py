"""Serves the contracts raw (YAML as written, and JSON) and the dashboard at `/`."""

from __future__ import annotations

import html
from collections.abc import Iterable
from importlib.resources import files
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from billing_mock.server.routing import Mount

DASHBOARD = "/dashboard"
"""Where the dashboard's scripts and style sheet are served (`/dashboard/app.js`)."""

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
"""The dashboard's files by suffix; a file of another suffix in its folder is not served."""

PAGE_HEADERS = {
    # Only this origin's own files: no CDN, nothing inline, so text from the mock (an
    # organisation's name, a journal body) can never run as script, even if mis-rendered.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A newer server's page and scripts are fetched again, never mixed with older ones.
    "Cache-Control": "no-cache",
}

_APIS_MARK = "<!--apis-->"


class Published(Mount, Protocol):
    """An API as the dashboard lists it: a Mount with a name and a title."""

    @property
    def name(self) -> str:
        """Its short name (`unpod`), as the control API's credentials name it."""
        ...

    @property
    def title(self) -> str:
        """Its name for people (`Unpod platform billing`)."""
        ...


def add_routes(app: Any, apis: Iterable[Published]) -> None:
    """Add `/` (the dashboard), its files under DASHBOARD, and `/openapi/<contract>.yaml`
    and `.json` for each of `apis` to a connexion app.

    The dashboard's files are package data (`server/dashboard/`), read once here; the
    page lists `apis` itself (the rest it asks of the control API from the browser).
    """
    apis = tuple(apis)
    for api in apis:
        stem = api.contract.stem
        app.add_url_rule(f"/openapi/{stem}.yaml", f"{stem}-yaml", _yaml_view(api.contract.raw))
        app.add_url_rule(f"/openapi/{stem}.json", f"{stem}-json", _json_view(api.contract.document))
    folder = files("billing_mock.server") / "dashboard"
    for item in folder.iterdir():
        suffix = "." + item.name.rpartition(".")[2]
        if item.name == "index.html" or suffix not in MEDIA_TYPES:
            continue
        view = _file_view(item.read_bytes(), MEDIA_TYPES[suffix])
        app.add_url_rule(f"{DASHBOARD}/{item.name}", f"dashboard-{item.name}", view)
    page = (folder / "index.html").read_text(encoding="utf-8")
    page = page.replace(_APIS_MARK, _api_rows(apis))
    app.add_url_rule("/", "index", _file_view(page.encode(), MEDIA_TYPES[".html"]))


def _api_rows(apis: tuple[Published, ...]) -> str:
    """One table row per API: title, base path, Swagger UI, the contract as YAML and JSON."""
    rows = []
    for api in apis:
        base = html.escape(api.base_path)
        name = html.escape(api.contract.name)
        stem = html.escape(api.contract.stem)
        rows.append(
            f'<tr data-api="{html.escape(api.name)}">'
            f'<th scope="row">{html.escape(api.title)}</th>'
            f"<td><code>{base}</code></td>"
            f'<td><a href="{base}/ui/">Swagger UI</a></td>'
            f'<td><a href="/openapi/{name}">YAML</a> · <a href="/openapi/{stem}.json">JSON</a></td>'
            "</tr>"
        )
    return "\n".join(rows)


def _yaml_view(raw: bytes) -> Any:
    async def view(_: Request) -> Response:
        return Response(raw, media_type="application/yaml")

    return view


def _json_view(contract: dict[str, Any]) -> Any:
    async def view(_: Request) -> Response:
        return JSONResponse(contract)

    return view


def _file_view(body: bytes, media_type: str) -> Any:
    async def view(_: Request) -> Response:
        return Response(body, headers=PAGE_HEADERS, media_type=media_type)

    return view
