"""The contracts, one OpenAPI file per API: package data of billing-mock (`billing_mock.openapi`).

This file only makes the folder a package, so `importlib.resources` finds the contracts in
an installed wheel and in an editable install alike.
"""
