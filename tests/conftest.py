"""Shared test fixtures: a store, the app over it, an HTTP client, fixture credentials.

One app is built per session (loading the contracts is the slow part); each test gets
its store reset to the fixtures' state and a fresh client (no cookies carried over).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from connexion import AsyncApp
from starlette.testclient import TestClient

from billing_mock.app import create_app
from billing_mock.data.stores import load_stores
from billing_mock.domain.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
OPENAPI = ROOT / "openapi"


def fixture_users() -> dict[str, dict[str, Any]]:
    """users.yaml read straight from disk, by email: tests do not trust the loader."""
    document = yaml.safe_load((FIXTURES / "users.yaml").read_text())
    return {user["email"]: user for user in document["users"]}


@pytest.fixture(scope="session")
def users() -> dict[str, dict[str, Any]]:
    return fixture_users()


@pytest.fixture(scope="session")
def _served() -> tuple[Store, AsyncApp]:
    stores = load_stores(42)
    return stores.default, create_app(stores, validate_responses=True)


@pytest.fixture
def store(_served: tuple[Store, AsyncApp]) -> Store:
    served_store = _served[0]
    served_store.reset()
    return served_store


@pytest.fixture
def client(store: Store, _served: tuple[Store, AsyncApp]) -> Iterator[TestClient]:
    with TestClient(_served[1]) as client:
        yield client
