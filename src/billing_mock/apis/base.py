"""What every API package declares to the app: its contract, base path, handlers, errors,
and the shared behaviour it takes part in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from billing_mock.contract.documents import Contract, contract
from billing_mock.server.errors import Failure
from billing_mock.server.routing import Capability

ErrorBody = Callable[[Failure], dict[str, object]]
"""Renders a Failure as the JSON body of this API's error envelope."""

VENDOR = frozenset(Capability)
"""What a vendor's API takes part in: steering, the response cache and contract tests."""


@dataclass(frozen=True, slots=True)
class ApiModule:
    """An API the mock serves (it satisfies `server.routing.Mount`).

    name           short name used on the CLI and in URLs (`unpod`)
    title          human title for the index page
    contract_file  file name of its contract in `openapi/` (`unpod-billing.yaml`)
    base_path      where it is mounted; unique per API (see PITFALLS: shared base paths)
    handlers       module with one function per operationId, first argument the Store
    error_body     renders a Failure in the API's own envelope
    capabilities   the shared behaviour it takes part in (`VENDOR`: all of it); the mock's
                   own control API takes part in none, so it is never steered, cached or
                   contract-tested as a vendor's API
    probe          a GET path under base_path that any accepted credential may call: how
                   `contract-test` tells refused credentials from drift before it starts

    Business rules a schema cannot express are no field here: they are Schemathesis
    config in `openapi/schemathesis.toml`, one `[[project]]` per contract title, so
    `contract-test` and QA's own `st run` read the same file.
    """

    name: str
    title: str
    contract_file: str
    base_path: str
    handlers: ModuleType
    error_body: ErrorBody
    capabilities: frozenset[Capability]
    probe: str

    @property
    def contract(self) -> Contract:
        """Its contract, parsed once per process."""
        return contract(self.contract_file)

    def takes_part_in(self, capability: Capability) -> bool:
        """Whether this API declared `capability`."""
        return capability in self.capabilities
