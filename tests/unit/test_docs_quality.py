"""Docs quality of every contract in openapi/, enforced rule by rule (issue 5).

Each rule is a function from a spec (a dict) to its problems, each problem a string that
starts with the JSON pointer it is about, so the tests below run every rule on every
file of openapi/ (a new spec is covered without editing this file) and on tiny specs
built in memory, which proves each rule can fail. The rules:

- `operation_problems`: every operation has an operationId, summary, description and
  tags, each tag declared in the top-level `tags` with a description; a security
  requirement, its own or the top level's (a deliberately public operation says
  `security: []`), naming declared schemes; and an example for every media type of
  every response and request body. Binary media (`application/pdf`, `format: binary`)
  are not exempt: a truncated example shows a reader what the file starts with.
- `error_response_problems`: every operation has at least one 4xx response, and every
  4xx/5xx response has a body whose schema is a `$ref` to the API's one error schema
  (the one most of its error responses use).
- `description_problems`: every schema property (in components and inline, through
  properties, items, allOf/oneOf/anyOf, not and additionalProperties) has a
  description. A property that is only a `$ref` takes the referenced schema's: OAS 3.0
  ignores siblings of `$ref`, so one written there is lost, and is reported
  (`allOf: [$ref]` plus a `description` overrides it). Hence every component schema
  needs a description too, and so does every parameter and header.
- `example_problems`: every example (schema `example`, and `example` or
  `examples[*].value` of media types, parameters and headers) validates against its
  own schema, `$ref`s resolved against the whole document, with `nullable` and formats.
- `unused_component_problems`: every component is reachable by `$ref` from outside
  `components` (one used only by unused components is unused too); a security scheme
  counts as used when a security requirement names it.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from tests.conftest import OPENAPI

Spec = dict[str, Any]
Rule = Callable[[Spec], list[str]]

SPECS = sorted(OPENAPI.glob("*.yaml"))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when built in: the Razorpay contract is 3,000 lines."""


# --- walking a spec ------------------------------------------------------------------------


def _at(pointer: str, *keys: object) -> str:
    """`pointer` extended by `keys`, escaped as JSON pointer tokens (`/` is `~1`)."""
    for key in keys:
        pointer += "/" + str(key).replace("~", "~0").replace("/", "~1")
    return pointer


def _step(node: Any, token: str) -> Any:
    """`node`'s child named by one JSON pointer token (`~1` is `/`, `~0` is `~`)."""
    token = token.replace("~1", "/").replace("~0", "~")
    return node[int(token)] if isinstance(node, list) else node[token]


def _resolve(spec: Spec, node: Any) -> Any:
    """`node`, its local `$ref`s followed (the specs use no remote ones)."""
    while isinstance(node, dict) and "$ref" in node:
        node = functools.reduce(_step, node["$ref"].removeprefix("#/").split("/"), spec)
    return node


def _entries(pointer: str, container: Any) -> Iterator[tuple[str, Spec]]:
    """Each object of a map or list with its pointer; `$ref`s are checked where they point."""
    items = container.items() if isinstance(container, dict) else enumerate(container or [])
    for key, value in items:
        if isinstance(value, dict) and "$ref" not in value:
            yield _at(pointer, key), value


def _operations(spec: Spec) -> Iterator[tuple[str, str, Spec]]:
    """(pointer, `METHOD /route`, operation) of every operation."""
    for route, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield _at("#/paths", route, method), f"{method.upper()} {route}", item[method]


def _component(spec: Spec, kind: str) -> Iterator[tuple[str, Spec]]:
    return _entries(f"#/components/{kind}", spec.get("components", {}).get(kind))


def _parameters(spec: Spec) -> Iterator[tuple[str, Spec]]:
    yield from _component(spec, "parameters")
    for route, item in spec.get("paths", {}).items():
        yield from _entries(_at("#/paths", route, "parameters"), item.get("parameters"))
    for pointer, _, operation in _operations(spec):
        yield from _entries(_at(pointer, "parameters"), operation.get("parameters"))


def _responses(spec: Spec) -> Iterator[tuple[str, Spec]]:
    yield from _component(spec, "responses")
    for pointer, _, operation in _operations(spec):
        yield from _entries(_at(pointer, "responses"), operation.get("responses"))


def _media_types(spec: Spec) -> Iterator[tuple[str, Spec]]:
    bodies = list(_component(spec, "requestBodies"))
    for pointer, _, operation in _operations(spec):
        bodies += _entries(pointer, {"requestBody": operation.get("requestBody")})
    for pointer, holder in [*_responses(spec), *bodies]:
        yield from _entries(_at(pointer, "content"), holder.get("content"))


def _headers(spec: Spec) -> Iterator[tuple[str, Spec]]:
    yield from _component(spec, "headers")
    for pointer, response in _responses(spec):
        yield from _entries(_at(pointer, "headers"), response.get("headers"))


def _subschemas(pointer: str, schema: Any) -> Iterator[tuple[str, Spec]]:
    """`schema` and every schema nested in it, not following `$ref`s."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    yield pointer, schema
    for name, subschema in schema.get("properties", {}).items():
        yield from _subschemas(_at(pointer, "properties", name), subschema)
    for key in ("items", "additionalProperties", "not"):
        yield from _subschemas(_at(pointer, key), schema.get(key))
    for key in ("allOf", "oneOf", "anyOf"):
        for index, subschema in enumerate(schema.get(key, [])):
            yield from _subschemas(_at(pointer, key, index), subschema)


def _schema_holders(spec: Spec) -> Iterator[tuple[str, Spec]]:
    """Parameters, headers and media types: what carries a `schema` and its own examples."""
    yield from _parameters(spec)
    yield from _headers(spec)
    yield from _media_types(spec)


def _schemas(spec: Spec) -> Iterator[tuple[str, Spec]]:
    """Every schema of the document, in components and inline, nested ones included."""
    for pointer, schema in _component(spec, "schemas"):
        yield from _subschemas(pointer, schema)
    for pointer, holder in _schema_holders(spec):
        yield from _subschemas(_at(pointer, "schema"), holder.get("schema"))


# --- the rules -----------------------------------------------------------------------------


def operation_problems(spec: Spec) -> list[str]:
    """Operations without identity, docs, declared tags, security or response examples."""
    declared = {tag["name"]: tag.get("description") for tag in spec.get("tags", [])}
    problems = [
        f"{_at('#/tags', index)}: tag {tag['name']!r} has no description"
        for index, tag in enumerate(spec.get("tags", []))
        if not tag.get("description")
    ]
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for pointer, label, operation in _operations(spec):
        where = f"{pointer} ({label})"
        problems += [
            f"{where}: no {key}"
            for key in ("operationId", "summary", "description", "tags")
            if not operation.get(key)
        ]
        problems += [
            f"{where}: tag {tag!r} is not declared in the top-level `tags`"
            for tag in operation.get("tags", [])
            if tag not in declared
        ]
        if "security" not in operation and not spec.get("security"):
            problems.append(
                f"{where}: no security requirement, neither its own nor the top level's"
                " (a deliberately public operation says `security: []`)"
            )
        requirements = operation.get("security", spec.get("security", []))
        problems += [
            f"{where}: security scheme {name!r} is not in components/securitySchemes"
            for requirement in requirements
            for name in requirement
            if name not in schemes
        ]
        problems += _missing_examples(spec, where, operation)
    return problems


def _missing_examples(spec: Spec, where: str, operation: Spec) -> list[str]:
    bodies = {
        f"response {status}": _resolve(spec, r) for status, r in operation["responses"].items()
    }
    if "requestBody" in operation:
        bodies["request body"] = _resolve(spec, operation["requestBody"])
    return [
        f"{where}: {name} {media_type} has no `example` or `examples`"
        for name, body in bodies.items()
        for media_type, media in body.get("content", {}).items()
        if "example" not in media and not media.get("examples")
    ]


def error_response_problems(spec: Spec) -> list[str]:
    """Operations without a 4xx response, or error bodies not in the API's error schema."""
    errors = [
        (f"{pointer} ({label}): response {status}", _resolve(spec, response))
        for pointer, label, operation in _operations(spec)
        for status, response in operation["responses"].items()
        if str(status)[0] in "45"
    ]
    used = Counter(
        media.get("schema", {}).get("$ref")
        for _, response in errors
        for media in response.get("content", {}).values()
    )
    used.pop(None, None)
    error_schema = used.most_common(1)[0][0] if used else "(none: no error body is a $ref)"
    problems = [
        f"{pointer} ({label}): no 4xx response documents how it fails"
        for pointer, label, operation in _operations(spec)
        if not any(str(status).startswith("4") for status in operation["responses"])
    ]
    for where, response in errors:
        if not response.get("content"):
            problems.append(f"{where}: no body, so the error is undocumented")
        for media_type, media in response.get("content", {}).items():
            schema = media.get("schema", {}).get("$ref", "inline or missing")
            if schema != error_schema:
                problems.append(
                    f"{where} {media_type}: schema is {schema},"
                    f" not the API's error schema {error_schema}"
                )
    return sorted(problems)


def description_problems(spec: Spec) -> list[str]:
    """Schema properties, component schemas, parameters and headers without a description."""

    def described(node: Any) -> bool:
        return bool(str(_resolve(spec, node).get("description", "")).strip())

    problems = [
        f"{pointer}: {kind} has no description"
        for kind, nodes in (
            ("component schema", _component(spec, "schemas")),
            ("parameter", _parameters(spec)),
            ("header", _headers(spec)),
        )
        for pointer, node in nodes
        if not described(node)
    ]
    for pointer, schema in _schemas(spec):
        for name, subschema in schema.get("properties", {}).items():
            where = f"{_at(pointer, 'properties', name)}: property {name!r}"
            if not described(subschema):
                refers = " (nor has the schema it refers to)" if "$ref" in subschema else ""
                problems.append(f"{where} has no description{refers}")
            if "$ref" in subschema and len(subschema) > 1:
                problems.append(
                    f"{where} has keys beside `$ref`, which OAS 3.0 ignores"
                    " (write `allOf: [$ref]` to add a description)"
                )
    return problems


def _examples(spec: Spec, pointer: str, holder: Spec) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of `example` and of each `examples[*].value` of `holder`."""
    if "example" in holder:
        yield _at(pointer, "example"), holder["example"]
    examples = holder.get("examples")
    for name, example in examples.items() if isinstance(examples, dict) else ():
        example = _resolve(spec, example)
        if "value" in example:
            yield _at(pointer, "examples", name, "value"), example["value"]


def _invalidities(spec: Spec, schema: Spec, value: Any) -> list[str]:
    """Why `value` does not validate against `schema`, `$ref`s resolved in `spec`."""
    root = {"components": spec.get("components", {}), "allOf": [schema]}
    validator = OAS30Validator(root, format_checker=oas30_format_checker)
    return [
        f"{error.message} (at /{'/'.join(map(str, error.absolute_path))})"
        for error in validator.iter_errors(value)
    ]


def example_problems(spec: Spec) -> list[str]:
    """Examples that do not validate against their own schema."""
    pairs = [(pointer, schema, schema) for pointer, schema in _schemas(spec)]
    pairs += [
        (p, holder, holder["schema"]) for p, holder in _schema_holders(spec) if "schema" in holder
    ]
    return [
        f"{where}: invalid against its schema: {reason}"
        for pointer, holder, schema in pairs
        for where, value in _examples(spec, pointer, holder)
        for reason in _invalidities(spec, schema, value)
    ]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def unused_component_problems(spec: Spec) -> list[str]:
    """Components no `$ref` reaches from outside `components`, and unnamed security schemes."""
    components = spec.get("components", {})
    pending = [value for key, value in spec.items() if key != "components"]
    used: set[tuple[str, str]] = set()
    while pending:
        for ref in _refs(pending.pop()):
            tokens = [token.replace("~1", "/").replace("~0", "~") for token in ref.split("/")]
            if tokens[:2] == ["#", "components"] and len(tokens) > 3:
                kind, name = tokens[2], tokens[3]
                if (kind, name) not in used:
                    used.add((kind, name))
                    pending.append(components.get(kind, {}).get(name))
    requirements = [*spec.get("security", [])]
    for _, _, operation in _operations(spec):
        requirements += operation.get("security", [])
    used |= {("securitySchemes", name) for requirement in requirements for name in requirement}
    return [
        f"{_at('#/components', kind, name)}: not used (no $ref outside components reaches it)"
        if kind != "securitySchemes"
        else f"{_at('#/components', kind, name)}: not named by any security requirement"
        for kind, entries in components.items()
        if not kind.startswith("x-")
        for name in entries
        if (kind, name) not in used
    ]


RULES: tuple[Rule, ...] = (
    operation_problems,
    error_response_problems,
    description_problems,
    example_problems,
    unused_component_problems,
)


# --- the real contracts --------------------------------------------------------------------


@functools.cache
def _load(path: Path) -> Spec:
    spec: Spec = yaml.load(path.read_text(), Loader=YAML_LOADER)
    return spec


def test_openapi_has_contracts_to_check() -> None:
    assert SPECS, f"no *.yaml in {OPENAPI}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.name)
def test_contract_meets_docs_rule(path: Path, rule: Rule) -> None:
    problems = rule(_load(path))
    assert not problems, f"{path.name}: {len(problems)} problem(s):\n" + "\n".join(
        f"  openapi/{path.name}{problem}" for problem in problems
    )


# --- each rule can fail --------------------------------------------------------------------

TINY = """
openapi: 3.0.4
info: {title: Tiny, version: "1"}
tags: [{name: Things, description: Things.}]
security: [{Key: []}]
paths:
  /things/{id}:
    get:
      operationId: getThing
      summary: Get a thing
      description: Returns one thing.
      tags: [Things]
      parameters:
        - name: id
          in: path
          required: true
          description: The thing's id.
          schema: {type: string, pattern: "^t_[0-9]+$"}
          example: t_1
      responses:
        "200":
          description: The thing.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
              example: {id: t_1}
        "404": {$ref: "#/components/responses/NotFound"}
components:
  securitySchemes:
    Key: {type: apiKey, in: header, name: X-Key}
  responses:
    NotFound:
      description: No such thing.
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
          example: {message: No.}
  schemas:
    Thing:
      type: object
      description: A thing.
      required: [id]
      properties:
        id: {type: string, description: Its id.}
        size: {type: integer, nullable: true, description: Its size.}
        error: {$ref: "#/components/schemas/Error"}
      example: {id: t_1, size: null}
    Error:
      type: object
      description: The error envelope.
      required: [message]
      properties:
        message: {type: string, description: What failed.}
"""
"""A valid spec that meets every rule; each case below breaks it in one place."""

GET = "#/paths/~1things~1{id}/get"
OPERATION = f"{GET} (GET /things/{{id}})"
PARAMETER = f"{GET}/parameters/0"
OK = f"{GET}/responses/200/content/application~1json"
NOT_FOUND = "#/components/responses/NotFound"
THING = "#/components/schemas/Thing"
ERROR = "#/components/schemas/Error"
DELETE = object()
"""A `_changed` value: remove the key instead of setting it."""


def _changed(pointer: str, value: Any) -> Spec:
    """The tiny spec with the value at `pointer` replaced (or deleted, for `DELETE`)."""
    spec: Spec = yaml.safe_load(TINY)
    *parents, last = pointer.removeprefix("#/").split("/")
    node = functools.reduce(_step, parents, spec)
    key = int(last) if isinstance(node, list) else last.replace("~1", "/").replace("~0", "~")
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return spec


BINARY = {"schema": {"type": "string", "format": "binary", "description": "A PDF."}}
NESTED = {"type": "array", "items": {"allOf": [{"properties": {"kg": {"type": "number"}}}]}}
HEADER = {"X-N": {"description": "A count.", "schema": {"type": "integer"}, "example": "two"}}
SPARE = {"type": "string", "description": "Spare."}
INLINE_ERROR = {
    "description": "Bad.",
    "content": {"application/json": {"schema": {}, "example": 1}},
}
NOT_OURS = f"not the API's error schema {ERROR}"
BEARER = {"type": "http", "scheme": "bearer"}
CASES: dict[Rule, dict[str, tuple[str, Any, str]]] = {
    operation_problems: {
        "no summary": (f"{GET}/summary", DELETE, f"{OPERATION}: no summary"),
        "no tags": (f"{GET}/tags", [], f"{OPERATION}: no tags"),
        "undeclared tag": (f"{GET}/tags", ["Gadgets"], "tag 'Gadgets' is not declared"),
        "tag undescribed": ("#/tags/0/description", "", "#/tags/0: tag 'Things' has no"),
        "no security": ("#/security", DELETE, f"{OPERATION}: no security requirement"),
        "unknown scheme": (f"{GET}/security", [{"No": []}], "scheme 'No' is not in"),
        "no example": (f"{OK}/example", DELETE, "response 200 application/json has no"),
        "binary, no example": (OK, BINARY, "response 200 application/json has no"),
    },
    error_response_problems: {
        "no 4xx": (f"{GET}/responses/404", DELETE, f"{OPERATION}: no 4xx response"),
        "inline error": (f"{GET}/responses/400", INLINE_ERROR, f"is inline or missing, {NOT_OURS}"),
        "no error $ref": (f"{NOT_FOUND}/content/application~1json/schema", {}, "(none: no error"),
        "bodiless error": (f"{NOT_FOUND}/content", DELETE, f"{OPERATION}: response 404: no body"),
    },
    description_problems: {
        "property": (f"{THING}/properties/id/description", " ", "/id: property 'id' has no"),
        "$ref to undescribed": (f"{ERROR}/description", DELETE, "/error: property 'error' has no"),
        "beside $ref": (f"{THING}/properties/error/description", ".", "keys beside `$ref`"),
        "nested": (f"{OK}/schema", NESTED, "json/schema/items/allOf/0/properties/kg: property"),
        "parameter": (f"{PARAMETER}/description", DELETE, f"{PARAMETER}: parameter has no"),
    },
    example_problems: {
        "schema example": (f"{THING}/example", {"size": 3}, f"{THING}/example: invalid"),
        "media example via $ref": (f"{OK}/example", {"id": "t_1", "size": "x"}, "(at /size)"),
        "examples value": (f"{OK}/examples", {"a": {"value": {"id": 1}}}, "/examples/a/value: "),
        "parameter example": (f"{PARAMETER}/example", "x_1", f"{PARAMETER}/example: invalid"),
        "header example": (f"{GET}/responses/200/headers", HEADER, "X-N/example: invalid"),
    },
    unused_component_problems: {
        "unused schema": ("#/components/schemas/Spare", SPARE, "schemas/Spare: not used"),
        "unnamed scheme": ("#/components/securitySchemes/Spare", BEARER, "Spare: not named by"),
    },
}


def test_tiny_spec_is_valid_and_meets_every_rule() -> None:
    spec = yaml.safe_load(TINY)
    validate(spec)
    assert {rule.__name__: rule(spec) for rule in RULES} == {rule.__name__: [] for rule in RULES}


@pytest.mark.parametrize(
    ("rule", "pointer", "value", "expected"),
    [
        pytest.param(rule, *case, id=f"{rule.__name__}: {name}")
        for rule, cases in CASES.items()
        for name, case in cases.items()
    ],
)
def test_each_rule_can_fail(rule: Rule, pointer: str, value: Any, expected: str) -> None:
    problems = rule(_changed(pointer, value))
    assert any(expected in problem for problem in problems), problems


def test_a_deliberately_public_operation_with_a_binary_example_passes() -> None:
    spec = _changed(f"{GET}/security", [])
    spec["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"] = {
        "application/pdf": {**BINARY, "example": "%PDF-1.4\n"}
    }
    assert operation_problems(spec) == []


def test_a_component_used_only_by_an_unused_one_is_unused() -> None:
    spec = _changed("#/components/schemas/Spare", {"$ref": "#/components/schemas/Cousin"})
    spec["components"]["schemas"]["Cousin"] = {"type": "string", "description": "Cousin."}
    assert unused_component_problems(spec) == [
        "#/components/schemas/Spare: not used (no $ref outside components reaches it)",
        "#/components/schemas/Cousin: not used (no $ref outside components reaches it)",
    ]
