"""What the server needs of an API it is handed (`Mount`), and which API a path is for.

The server imports no API: the app hands it the registry's `ApiModule`s, which satisfy
`Mount`. What an API takes part in is declared (`Capability`), never inferred from
which API it is.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from billing_mock.contract.documents import Contract
from billing_mock.server.errors import Failure


class Capability(enum.Enum):
    """Shared behaviour an API takes part in, by declaring it (`ApiModule.capabilities`)."""

    STEERING = "steering"
    """X-Mock-Seed, -Scenario, -Latency, -Fault and the server's latency and faults."""
    RESPONSE_CACHE = "response-cache"
    """Repeated GETs against unchanged state are answered from the response cache."""
    CONTRACT_TESTS = "contract-tests"
    """`billing-mock contract-test` checks deployments of it."""
    CORS = "cors"
    """Browser pages on other origins may call it (CORS preflights and headers)."""
    JOURNAL = "journal"
    """Its requests are kept in the request journal (`GET /__mock/requests`), its docs aside."""


class Mount(Protocol):
    """An API as the server sees it: where it is mounted, its contract, its envelope."""

    @property
    def base_path(self) -> str:
        """Where it is mounted (`/api/billing`); unique per API."""
        ...

    @property
    def contract(self) -> Contract:
        """Its contract."""
        ...

    @property
    def error_body(self) -> Callable[[Failure], dict[str, object]]:
        """Renders a Failure as the JSON body of its error envelope."""
        ...

    def takes_part_in(self, capability: Capability) -> bool:
        """Whether it declared `capability`."""
        ...


M = TypeVar("M", bound=Mount, covariant=True)


class Mounts(Generic[M]):
    """The APIs by base path, longest first, so `/api/billing/...` is the Razorpay-backed
    API's and not Cognita's `/api`. Sorted once, when made.
    """

    def __init__(self, apis: Iterable[M]) -> None:
        self._apis = tuple(apis)
        self._longest_first = sorted(self._apis, key=_base_path_length, reverse=True)

    def __iter__(self) -> Iterator[M]:
        """The APIs in the order they were given (the index page's order)."""
        return iter(self._apis)

    def __len__(self) -> int:
        return len(self._apis)

    def for_path(self, path: str) -> M | None:
        """The API whose base path `path` lies under (the longest such), or None."""
        for api in self._longest_first:
            if path == api.base_path or path.startswith(api.base_path + "/"):
                return api
        return None

    def taking_part_in(self, path: str, capability: Capability) -> M | None:
        """The API of `path` if it declared `capability`, else None."""
        api = self.for_path(path)
        return api if api is not None and api.takes_part_in(capability) else None


def docs_paths(mounts: Iterable[Mount], docs: Iterable[str]) -> Callable[[str], bool]:
    """Whether a path is documentation: one of `docs` (`/ui`, `/openapi.json`) under an
    API's base path, or anything under one of those (`<base>/ui/swagger-ui.css`).
    """
    exact = frozenset(api.base_path + doc for api in mounts for doc in docs)
    under = tuple(path + "/" for path in exact)
    return lambda path: path in exact or path.startswith(under)


def _base_path_length(api: Mount) -> int:
    return len(api.base_path)
