"""The contracts in `openapi/`, each parsed once per process: the one object every reader asks.

The app (connexion), Prefer, the 405 handling, publishing, `spec bundle`, `contract-test`
and the tests read a contract through `contract(name)`: its bytes as written, the parsed
document, its paths with the methods each declares, its operations by operationId, its
named examples and its local `$ref`s. The files ship inside the package
(`billing_mock.openapi`, package data) and are read through `importlib.resources`, so an
installed wheel serves and tests without the source tree.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

OPENAPI_PACKAGE = "billing_mock.openapi"
"""The package that holds the contracts: `openapi/` at the repository root."""

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
"""The keys of an OpenAPI path item that are operations."""

# libyaml's loader parses about 10x faster than the pure-Python one; both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a contract: `GET /subscription/me`, `getMySubscription`."""

    operation_id: str
    method: str
    """Lower case, as the contract writes it (`get`)."""
    path: str
    """The path template relative to the API's base path (`/subscription/{id}`)."""
    definition: Mapping[str, Any]
    """The operation object as parsed; do not mutate it."""

    @property
    def responses(self) -> Mapping[str, Any]:
        """Documented responses by status code (`"200"`, `"404"`), `$ref`s unresolved."""
        responses: Mapping[str, Any] = self.definition.get("responses", {})
        return responses


class Contract:
    """One contract file, parsed once (see `contract`).

    `raw` is the file as written (bytes); `document` the parsed YAML, shared by every
    reader: never mutate it (`copy()` gives a private one, as connexion needs).
    """

    def __init__(self, name: str, raw: bytes, directory: Traversable) -> None:
        self.name = name
        self.raw = raw
        self.directory = directory
        self.document: dict[str, Any] = yaml.load(raw, Loader=_LOADER)

    @classmethod
    def from_path(cls, path: Path) -> Contract:
        """The contract in the file at `path` (one not shipped, e.g. a test's); raises
        OSError and yaml.YAMLError.
        """
        return cls(path.name, path.read_bytes(), path.parent)

    @property
    def stem(self) -> str:
        """The file name without `.yaml` (`unpod-billing`)."""
        return self.name.removesuffix(".yaml")

    def copy(self) -> dict[str, Any]:
        """A deep copy of the document, for a reader that fills in defaults in place."""
        return copy.deepcopy(self.document)

    @cached_property
    def operations(self) -> Mapping[str, Operation]:
        """Every operation by operationId, in the contract's order."""
        return {
            item["operationId"]: Operation(item["operationId"], method, path, item)
            for path, path_item in self.document.get("paths", {}).items()
            for method, item in path_item.items()
            if method in HTTP_METHODS and isinstance(item, dict) and "operationId" in item
        }

    def methods_at(self, path: str) -> frozenset[str] | None:
        """The methods (lower case) the contract declares at `path` (relative to the base
        path): a literal path's own, else those of the first templated path it matches
        (`/subscription/{id}` matches `/subscription/<segment>`); None for no path.
        """
        found = self.literal_methods(path)
        if found is not None:
            return found
        return next((self._methods[template] for template in self._matching(path)), None)

    def literal_methods(self, path: str) -> frozenset[str] | None:
        """The methods of `path` when the contract lists it literally (no `{...}`), else None."""
        return None if "{" in path else self._methods.get(path)

    def operation_at(self, method: str, path: str) -> Operation | None:
        """The operation that serves `method` (any case) on `path` (relative to the base
        path, no query): a literal path's first, else the first templated one that matches
        and declares `method` (as connexion routes `PATCH /subscription/me`).
        """
        method = method.lower()
        literal = self._by_route.get((method, path)) if "{" not in path else None
        if literal is not None:
            return literal
        routes = (self._by_route.get((method, template)) for template in self._matching(path))
        return next((operation for operation in routes if operation is not None), None)

    def _matching(self, path: str) -> Iterator[str]:
        """The templated paths that `path` matches, in the contract's order."""
        return (template for pattern, template in self._templated if pattern.fullmatch(path))

    @cached_property
    def _methods(self) -> dict[str, frozenset[str]]:
        """Every path (template) to the methods it declares."""
        return {
            path: frozenset(key for key in item if key in HTTP_METHODS)
            for path, item in self.document.get("paths", {}).items()
        }

    @cached_property
    def _templated(self) -> list[tuple[re.Pattern[str], str]]:
        """Each templated path as a pattern (`/subscription/{id}` matches one segment)."""
        return [
            (re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))), path)
            for path in self._methods
            if "{" in path
        ]

    @cached_property
    def _by_route(self) -> dict[tuple[str, str], Operation]:
        return {
            (operation.method, operation.path): operation for operation in self.operations.values()
        }

    def resolve(self, node: Any) -> Any:
        """`node` with local `$ref`s (`#/components/...`) followed until it is none.

        Raises KeyError for a reference to nothing.
        """
        while isinstance(node, dict) and "$ref" in node:
            found: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                found = found[part.replace("~1", "/").replace("~0", "~")]
            node = found
        return node

    def security_functions(self) -> list[str]:
        """Dotted names of the functions its security schemes call (`x-apikeyInfoFunc`)."""
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        return [
            name
            for scheme in schemes.values()
            for key, name in scheme.items()
            if key.endswith("InfoFunc")
        ]

    @contextlib.contextmanager
    def as_file(self) -> Iterator[Path]:
        """The contract as a file on disk, for tools that take a path (`st run`)."""
        with resources.as_file(self.directory / self.name) as path:
            yield path


def openapi_directory() -> Traversable:
    """Where the contracts are: the `billing_mock.openapi` package data."""
    return resources.files(OPENAPI_PACKAGE)


@cache
def contract(name: str) -> Contract:
    """The contract file `name` (`unpod-billing.yaml`), parsed once per process.

    Raises FileNotFoundError for a name the package does not ship, yaml.YAMLError for
    a file that is not YAML.
    """
    directory = openapi_directory()
    return Contract(name, (directory / name).read_bytes(), directory)
