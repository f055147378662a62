"""Which API a path is for: the longest base path it lies under, whatever the order given."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from billing_mock.apis.registry import APIS, api_for_path
from billing_mock.contract.documents import Contract
from billing_mock.server.errors import Failure
from billing_mock.server.routing import Capability, Mounts


@dataclass(frozen=True)
class FakeApi:
    """A Mount with only a base path (and a name to tell them apart)."""

    name: str
    base_path: str
    steered: bool = False

    @property
    def contract(self) -> Contract:
        raise NotImplementedError

    def error_body(self, failure: Failure) -> dict[str, object]:
        return {}

    def takes_part_in(self, capability: Capability) -> bool:
        return self.steered and capability is Capability.STEERING


SHORTEST_FIRST = Mounts(
    [FakeApi("root-api", "/api", steered=True), FakeApi("billing", "/api/billing")]
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/billing", "billing"),
        ("/api/billing/subscription/me", "billing"),
        ("/api/billingx", "root-api"),
        ("/api/orgs/1/billing", "root-api"),
        ("/api", "root-api"),
        ("/apis", None),
        ("/", None),
    ],
)
def test_the_longest_base_path_wins_in_any_order(path: str, expected: str | None) -> None:
    found = SHORTEST_FIRST.for_path(path)
    assert (found.name if found else None) == expected


def test_iteration_keeps_the_order_given() -> None:
    assert [api.name for api in SHORTEST_FIRST] == ["root-api", "billing"]


def test_a_capability_is_asked_of_the_api_the_path_is_for() -> None:
    assert SHORTEST_FIRST.taking_part_in("/api/orgs", Capability.STEERING) is not None
    assert SHORTEST_FIRST.taking_part_in("/api/billing/x", Capability.STEERING) is None
    assert SHORTEST_FIRST.taking_part_in("/api/orgs", Capability.RESPONSE_CACHE) is None


def test_the_registry_sends_nested_base_paths_to_the_right_api() -> None:
    assert {api.base_path for api in APIS} >= {"/api", "/api/billing"}
    assert api_for_path("/api/billing/subscription/me").name == "razorpay"  # type: ignore[union-attr]
    assert api_for_path("/api/orgs/x/billing").name == "cognita"  # type: ignore[union-attr]
    assert api_for_path("/api/v2/platform/organisation/billing/").name == "unpod"  # type: ignore[union-attr]
    assert api_for_path("/__mock/reset").name == "control"  # type: ignore[union-attr]
