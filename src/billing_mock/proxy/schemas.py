"""OpenAPI 3.0 schema validation over one Contract: validators built once, text coerced first.

The contracts' schemas are OpenAPI 3.0 (draft 4 plus `nullable`, `readOnly` ...), so
they are checked with `openapi-schema-validator`'s OAS 3.0 validators (jsonschema with
OpenAPI's keywords and formats) rather than a plain JSON Schema one. A schema node is
validated inside a wrapper that carries the contract's `components`, so its local
`$ref`s (`#/components/schemas/Invoice`) resolve against the contract itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker

from billing_mock.contract.documents import Contract

MAX_ERRORS = 10
"""Schema errors kept per value: a list of 500 invoices each with a float amount is one
drift, not 500 log lines."""


class Number(Decimal):
    """A JSON number with a fraction, parsed exactly (never a float) and shown as written
    (`799.0`, not `Decimal('799.0')`) in validation messages.
    """

    def __repr__(self) -> str:
        return str(self)


def parse_json(raw: bytes) -> Any:
    """`raw` as JSON, fractions as `Number`. Raises ValueError (UnicodeDecodeError and
    json.JSONDecodeError are ValueErrors) and RecursionError as json does.
    """
    return json.loads(raw, parse_float=Number)


def is_json(media_type: str) -> bool:
    """Whether a media type (no parameters, lower case) is JSON: `application/json` or a
    `+json` suffix (`application/problem+json`).
    """
    return media_type == "application/json" or media_type.endswith("+json")


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lower case, without parameters ("" for none)."""
    return (content_type or "").partition(";")[0].strip().lower()


def documented_media(content: Mapping[str, Any], found: str) -> str | None:
    """The key of `content` (a contract's media type map) that `found` matches: itself,
    `type/*` or `*/*`; None for none.
    """
    lowered = {key.lower(): key for key in content}
    for candidate in (found, found.partition("/")[0] + "/*", "*/*"):
        if candidate in lowered:
            return lowered[candidate]
    return None


class Schemas:
    """Validators for the schema nodes of one contract, built on first use and kept (the
    nodes are the contract's own, so there are as many as the contract has).
    """

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._components = contract.document.get("components", {})
        self._validators: dict[tuple[int, bool], tuple[Any, Validator]] = {}

    def errors(self, schema: Any, value: Any, *, response: bool) -> Iterator[ValidationError]:
        """At most MAX_ERRORS errors of `value` against the schema node `schema`, read as a
        response (`readOnly` allowed, `writeOnly` not) or a request (the other way round).
        """
        for count, error in enumerate(self._validator(schema, response).iter_errors(value)):
            if count == MAX_ERRORS:
                return
            yield error

    def _validator(self, schema: Any, response: bool) -> Validator:
        key = (id(schema), response)
        found = self._validators.get(key)
        if found is None or found[0] is not schema:
            kind = OAS30ReadValidator if response else OAS30WriteValidator
            wrapper = {"allOf": [schema], "components": self._components}
            found = schema, kind(wrapper, format_checker=oas30_format_checker)
            self._validators[key] = found
        return found[1]

    def coerce(self, schema: Any, values: list[str], *, split: bool) -> Any:
        """Text from a query string, header or path (`values`: each occurrence) as the
        value `schema` describes: a list for an array (each occurrence an item, or split
        at commas when `split`: OpenAPI's `simple` and non-exploded `form` styles), an
        int, a Number, a bool, else the text. Text that is no such value stays text, so
        the validator names the problem.
        """
        schema = self.contract.resolve(schema or {})
        if schema.get("type") == "array":
            items = self.contract.resolve(schema.get("items", {}))
            parts = [part for value in values for part in (value.split(",") if split else [value])]
            return [_scalar(items, part) for part in parts]
        return _scalar(schema, values[0])


def _scalar(schema: Mapping[str, Any], text: str) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return Number(text)
    except (ValueError, InvalidOperation):
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text
