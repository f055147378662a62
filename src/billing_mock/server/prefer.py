"""Prism's response selection, `Prefer: code=404 | example=<name> | code=404, example=<name>`,
answered from the contract of the API the request was routed to.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from billing_mock.contract.documents import Contract
from billing_mock.domain.errors import InvalidRequest
from billing_mock.server.routing import Mount, Mounts
from billing_mock.server.steering import shown

CODE_INVALID = "Prefer: code must be a status like 404, not {value}"

_PREFER_ITEM = re.compile(r"\s*([a-z]+)\s*=\s*\"?([^\",]*)\"?\s*")
# ASCII digits only (see steering): `int()` runs on the code a response is found under.
_CODE = re.compile(r"[1-5][0-9][0-9]")


class Prefer:
    """Prism's response selection: `Prefer: code=N`, `example=name`, or both.

    Runs after security and validation (connexion's BEFORE_CONTEXT), so a caller still
    needs valid credentials and input. A documented 2xx code runs the handler (data from
    the fixtures); another code answers that response's first documented example (the
    API's own envelope); a named example answers that example. A code that is not
    three ASCII digits, an undocumented code or an unknown name is a 400 naming what
    exists, the value echoed cut to `steering.ECHO_LIMIT` characters.
    """

    def __init__(self, app: ASGIApp, mounts: Mounts[Mount]) -> None:
        self._app = app
        self._contracts = {api.base_path: api.contract for api in mounts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the contract when the request prefers it, else pass through."""
        prefer = _prefer(Headers(scope=scope).get("prefer")) if scope["type"] == "http" else {}
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        contract = self._contracts.get(routing.get("api_base_path", ""))
        if not prefer or contract is None or not routing.get("operation_id"):
            await self._app(scope, receive, send)
            return
        operation_id = routing["operation_id"]
        responses = contract.operations[operation_id].responses
        code, name = prefer.get("code"), prefer.get("example")
        if code is not None and not _CODE.fullmatch(code):
            raise InvalidRequest(CODE_INVALID.format(value=shown(code)), field="Prefer")
        if code is not None and code not in responses:
            raise InvalidRequest(
                f"Prefer: code={code} is not a response of {operation_id}; "
                f"documented: {', '.join(responses)}",
                field="Prefer",
            )
        if name is None and code is not None and code.startswith("2"):
            await self._app(scope, receive, send)
            return
        status, media, body = _example(contract, operation_id, code, name)
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = [
            (b"content-type", media.encode()),
            (b"content-length", str(len(payload)).encode()),
        ]
        await send({"type": "http.response.start", "status": int(status), "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _example(
    contract: Contract, operation_id: str, code: str | None, name: str | None
) -> tuple[str, str, Any]:
    """(status, media type, example value) chosen by `code` and/or example `name`."""
    named: list[str] = []
    for status, response in contract.operations[operation_id].responses.items():
        if code is not None and status != code:
            continue
        for media, content in contract.resolve(response).get("content", {}).items():
            examples = {
                key: contract.resolve(value) for key, value in content.get("examples", {}).items()
            }
            if name is None:
                if "example" in content:
                    return status, media, content["example"]
                if examples:
                    return status, media, next(iter(examples.values())).get("value")
                continue
            if name in examples:
                return status, media, examples[name].get("value")
            named += [f"{key} ({status})" for key in examples]
    if name is None:
        raise InvalidRequest(
            f"Response {code} of {operation_id} has no documented example", field="Prefer"
        )
    raise InvalidRequest(
        f"Prefer: example={shown(name)} is not an example of {operation_id}"
        + (f" {code}" if code else "")
        + f"; named examples: {', '.join(named) or 'none'}",
        field="Prefer",
    )


def _prefer(value: str | None) -> dict[str, str]:
    """`code=404, example=expired` as a dict; unknown preferences (Prism's `dynamic`) ignored."""
    preferences = {}
    for item in (value or "").split(","):
        match = _PREFER_ITEM.fullmatch(item)
        if match and match.group(1) in ("code", "example"):
            preferences[match.group(1)] = match.group(2)
    return preferences
