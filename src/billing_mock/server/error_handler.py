"""Renders any exception as an error response in the envelope of the API the request was
for, with the contract's 405s: handed the APIs, it knows none of them.
"""

from __future__ import annotations

import json
from typing import Any

from connexion.lifecycle import ConnexionRequest, ConnexionResponse

from billing_mock.server.errors import METHOD_NOT_ALLOWED, Failure, failure_from
from billing_mock.server.routing import Mount, Mounts


class ErrorHandler:
    """connexion's error handler for every exception: the Failure in the envelope of the
    API whose base path the request is under (`{status_code, message}` outside them all).

    A 400 or 405 under an API becomes what the contract declares: 405 with an `Allow`
    of every method of the path (Starlette lists only the first route's), and 405, not
    400, for an undeclared method on a literal path that a templated one swallowed
    (`PATCH /subscription/me` fails `PATCH /subscription/{id}`'s id pattern).
    """

    def __init__(self, mounts: Mounts[Mount]) -> None:
        self._mounts = mounts

    async def render(self, request: ConnexionRequest, error: Exception) -> ConnexionResponse:
        """The error response for `error`, raised while serving `request`.

        A coroutine function, so connexion calls it on the event loop: a synchronous
        handler would cost every error response a hop to a worker thread.
        """
        failure = failure_from(error)
        api = self._mounts.for_path(request.url.path)
        if api and failure.status in (400, 405):
            failure = method_failure(api, request.url.path, request.method, failure)
        body: dict[str, Any] = (
            api.error_body(failure)
            if api
            else {"status_code": failure.status, "message": failure.message}
        )
        return ConnexionResponse(
            status_code=failure.status,
            mimetype="application/json",
            content_type="application/json",
            body=json.dumps(body),
            headers=failure.headers,
        )


def method_failure(api: Mount, path: str, method: str, failure: Failure) -> Failure:
    """`failure` (a 400 or 405 for `method` on `path`, under `api`) as the contract has
    it: 405 with every declared method, and HEAD wherever GET is, in `Allow`.
    """
    relative = path.removeprefix(api.base_path)
    literal = api.contract.literal_methods(relative)
    if failure.status == 400 and (literal is None or method.lower() in literal):
        return failure
    methods = api.contract.methods_at(relative)
    if methods is None:
        return failure
    allow = {name.upper() for name in methods} | ({"HEAD"} if "get" in methods else set())
    headers = {**failure.headers, "Allow": ", ".join(sorted(allow))}
    return Failure(405, METHOD_NOT_ALLOWED, "MethodNotAllowed", headers)
