"""billing-mock: OpenAPI-first contract and mock server for billing APIs."""

__version__ = "0.1.0"
