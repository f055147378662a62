"""What every API package provides to the app: its spec, base path, handlers and errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from billing_mock.http_errors import Failure

ErrorBody = Callable[[Failure], dict[str, object]]
"""Renders a Failure as the JSON body of this API's error envelope."""


@dataclass(frozen=True, slots=True)
class ApiModule:
    """An API the mock serves.

    name         short name used on the CLI and in URLs (`unpod`)
    title        human title for the index page
    spec         file name of its contract in `openapi/`
    base_path    where it is mounted; unique per API (see PITFALLS: shared base paths)
    handlers     module with one function per operationId, first argument the Store
    error_body   renders a Failure in the API's own envelope
    probe        a GET path under base_path that any accepted credential may call: how
                 `contract-test` tells refused credentials from drift before it starts
    contract_config  Schemathesis TOML (`[[operations]]` overrides) for rules a schema
                 cannot express, with the reason; used by `contract-test`
    vendor       a vendor's API (True), or the mock's own control API: only vendor APIs
                 are steered (faults, latency) and checked by `contract-test`
    """

    name: str
    title: str
    spec: str
    base_path: str
    handlers: ModuleType
    error_body: ErrorBody
    probe: str
    contract_config: str = ""
    vendor: bool = True
