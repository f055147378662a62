"""What is measured: each API's main read, its credentials, and the ways the mock is asked.

The mock is asked as a client asks (repeated identical GETs, which its response cache
may answer) and with `Cache-Control: no-cache`, past the cache: the full pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from billing_mock.contract.documents import contract
from billing_mock.data.fixtures import load_fixtures

SEED = 42
"""The fixtures' seed every mock in the run serves."""
NORTHWIND_ID = "7d2e9c41-5a3b-4f8e-b6d0-2c9a8e1f4b73"


@dataclass(frozen=True)
class Operation:
    """One API's main read operation: where the mock and Prism serve it, and its headers."""

    api: str
    title: str
    spec: str
    path: str
    base_path: str
    headers: dict[str, str]

    @property
    def prism_path(self) -> str:
        """Prism serves the contract's paths without the `servers` base path."""
        return self.path.removeprefix(self.base_path)


@dataclass(frozen=True)
class Variant:
    """How a server is asked for an operation: its label in the report, the key that
    marks its figures in report.json and the headers it adds to the operation's own.
    """

    key: str
    label: str
    headers: dict[str, str] = field(default_factory=dict)
    log_suffix: str = ""
    """Appended to the wrk log's name; empty keeps the name a single-variant run had."""


RESPONSE_CACHE = Variant("response-cache", "billing-mock (response cache)")
"""The requests as a client sends them: identical repeated GETs, so a mock with a
response cache answers them from it. The targets are evaluated on this one."""
FULL_PIPELINE = Variant(
    "full-pipeline",
    "billing-mock, full pipeline (Cache-Control: no-cache)",
    {"Cache-Control": "no-cache"},
    "-full-pipeline",
)
"""The same requests past the response cache: routing, auth, request validation,
handler and JSON encoding on every request."""
MOCK_VARIANTS = (RESPONSE_CACHE, FULL_PIPELINE)


@dataclass(frozen=True)
class Credentials:
    """The fixture credentials the benchmark sends (fixtures/users.yaml)."""

    dana_jwt: str
    priya_api_key: str
    ops_bearer: str
    clara_api_key: str


def load_credentials() -> Credentials:
    """Dana's JWT (northwind.io), Priya's recalll.co key, ops@unpod.dev's bearer, and
    Clara's lumen.studio key.
    """
    # The mock's own loader: the same fixtures the served mock reads.
    by_email = {user.email: user for user in load_fixtures().users}

    def api_key(email: str, organisation: str) -> str:
        memberships = by_email[email].memberships
        return next(m.api_key for m in memberships if m.organisation == organisation)

    return Credentials(
        dana_jwt=by_email["dana.lee@northwind.io"].jwt,
        priya_api_key=api_key("priya.sharma@recalll.co", "recalll.co"),
        ops_bearer=by_email["ops@unpod.dev"].bearer,
        clara_api_key=api_key("clara.novak@lumen.studio", "lumen.studio"),
    )


def base_path(spec: str) -> str:
    """The contract's first `servers` URL: the mock's base path for it."""
    return str(contract(spec).document["servers"][0]["url"])


def operations(credentials: Credentials) -> list[Operation]:
    """Each API's main read, 20 invoices a page where the API pages; Unpod's first."""
    bearer = {"Authorization": f"Bearer {credentials.ops_bearer}"}
    rows = [
        (
            "unpod",
            # northwind.io has 26 invoices: a full page of 20, as the issue measures.
            "Unpod GET /organisation/billing/ (northwind.io, page_size=20)",
            "unpod-billing.yaml",
            "/organisation/billing/?page=1&page_size=20",
            {"Authorization": f"jwt {credentials.dana_jwt}", "Org-Handle": "northwind.io"},
        ),
        (
            "stripe",
            "Stripe-backed GET /organizations/{northwind}/stripe/billing-details",
            "stripe-billing-details.yaml",
            f"/organizations/{NORTHWIND_ID}/stripe/billing-details",
            bearer,
        ),
        (
            "cognita",
            "Cognita GET /orgs/{northwind}/billing",
            "cognita-billing.yaml",
            f"/orgs/{NORTHWIND_ID}/billing",
            bearer,
        ),
        (
            "razorpay",
            "Razorpay-backed GET /subscription/me (priya, recalll.co)",
            "razorpay-billing.yaml",
            "/subscription/me",
            {"X-API-Key": credentials.priya_api_key},
        ),
    ]
    result = []
    for api, title, spec, path, headers in rows:
        base = base_path(spec)
        result.append(Operation(api, title, spec, base + path, base, headers))
    return result
