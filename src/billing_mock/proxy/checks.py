"""One exchange held to its operation in the contract: each broken promise is a `Violation`.

The rules, by name (the response rules carry Schemathesis' check names, so a proxy
report and a `contract-test` run speak alike):

  undocumented_path             no path of the contract matches the request
  undocumented_method           the path is documented, the method is not
  request_parameters            a required query/header/path parameter is missing, or
                                one does not match its schema (cookie ones: not checked)
  request_content_type          a body of a media type the operation does not take
  request_body                  a required body is missing, or it fails its schema
  not_a_server_error            the upstream answered 5xx
  status_code_conformance       a status the operation does not document (nor `default`)
  content_type_conformance      a Content-Type not documented for that status
  response_headers_conformance  a required response header missing, or off its schema
  response_schema_conformance   a 1xx-3xx JSON body that fails its documented schema
  error_envelope                a 4xx/5xx body not in the API's error envelope: the
                                documented one for that status, else the envelope the
                                contract's error responses use most

Like Prism's proxy, the checks never change what is forwarded: they only describe it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from billing_mock.contract.documents import Contract, Operation
from billing_mock.proxy.schemas import Schemas, documented_media, is_json, media_type, parse_json
from billing_mock.server.errors import bounded

UNDOCUMENTED_PATH = "undocumented_path"
UNDOCUMENTED_METHOD = "undocumented_method"
REQUEST_PARAMETERS = "request_parameters"
REQUEST_CONTENT_TYPE = "request_content_type"
REQUEST_BODY = "request_body"
SERVER_ERROR = "not_a_server_error"
STATUS = "status_code_conformance"
CONTENT_TYPE = "content_type_conformance"
HEADERS = "response_headers_conformance"
BODY = "response_schema_conformance"
ERROR_ENVELOPE = "error_envelope"

RULES = (
    UNDOCUMENTED_PATH,
    UNDOCUMENTED_METHOD,
    REQUEST_PARAMETERS,
    REQUEST_CONTENT_TYPE,
    REQUEST_BODY,
    SERVER_ERROR,
    STATUS,
    CONTENT_TYPE,
    HEADERS,
    BODY,
    ERROR_ENVELOPE,
)
"""Every rule, in the order a report lists them."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken promise: the rule, where (`response.body`, `request.query.page`,
    `response.header.Cache-Control`), the JSON path inside that value (`$.data[0].amount`,
    `$` for the whole) and what is wrong.
    """

    rule: str
    location: str
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Sent:
    """The request as the client sent it. `headers` by lower-case name (repeats joined
    with `, `); `body` None when it was not read whole (over the cap) or is encoded.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes | None


@dataclass(frozen=True, slots=True)
class Answer:
    """The response the client gets. `body` decoded (Content-Encoding undone); None when
    it was not read whole (over the cap) or cannot be decoded.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes | None


def outside(path: str) -> Violation:
    """The violation of a request under none of the proxied APIs' base paths."""
    return Violation(UNDOCUMENTED_PATH, "request.path", "$", f"{path} is under no proxied API")


class Checker:
    """The rules for one API: its contract, mounted at `base_path`."""

    def __init__(self, contract: Contract, base_path: str) -> None:
        self.contract = contract
        self.base_path = base_path
        self.schemas = Schemas(contract)
        self.envelope = _envelope(contract)

    def route(self, sent: Sent) -> tuple[Operation | None, Violation | None]:
        """The operation `sent` calls, or the violation of a call to none. A CORS
        preflight is no call: (None, None). HEAD is routed as GET (HTTP allows it wherever
        GET is).
        """
        if sent.method == "OPTIONS" and "access-control-request-method" in sent.headers:
            return None, None
        relative = self._relative(sent.path)
        method = "GET" if sent.method == "HEAD" else sent.method
        operation = self.contract.operation_at(method, relative)
        if operation is not None:
            return operation, None
        methods = self.contract.methods_at(relative)
        if methods is None:
            message = f"{relative} is no path of {self.contract.name}"
            return None, Violation(UNDOCUMENTED_PATH, "request.path", "$", message)
        documented = ", ".join(sorted(name.upper() for name in methods))
        message = f"{sent.method} is not documented for {relative} (documented: {documented})"
        return None, Violation(UNDOCUMENTED_METHOD, "request.method", "$", message)

    def _relative(self, path: str) -> str:
        return path[len(self.base_path) :] or "/"

    def request(self, operation: Operation, sent: Sent) -> list[Violation]:
        """What is wrong with `sent` as a call of `operation`: parameters, then body."""
        return [*self._parameters(operation, sent), *self._request_body(operation, sent)]

    def _parameters(self, operation: Operation, sent: Sent) -> list[Violation]:
        query = parse_qs(sent.query, keep_blank_values=True)
        segments = dict(_path_values(operation.path, self._relative(sent.path)))
        found = []
        for parameter in self._parameters_of(operation):
            place, name = parameter.get("in"), str(parameter.get("name", ""))
            if place == "query":
                values = query.get(name)
            elif place == "header":
                values = [sent.headers[name.lower()]] if name.lower() in sent.headers else None
            elif place == "path":
                values = [segments[name]] if name in segments else None
            else:
                continue
            found += self._given(
                REQUEST_PARAMETERS,
                f"request.{place}.{name}",
                f"{place} parameter {name}",
                parameter,
                values,
                split=place != "query" or parameter.get("explode") is False,
            )
        return found

    def _given(
        self,
        rule: str,
        location: str,
        what: str,
        definition: Mapping[str, Any],
        values: list[str] | None,
        *,
        split: bool,
    ) -> list[Violation]:
        """A parameter's or response header's violations (`definition`: its object in the
        contract): missing though required, or its text (`values`) off its schema.
        """
        if values is None:
            missing = [Violation(rule, location, "$", f"missing required {what}")]
            return missing if definition.get("required") else []
        schema = definition.get("schema", {})
        value = self.schemas.coerce(schema, values, split=split)
        return self._schema(rule, location, schema, value, response=rule == HEADERS)

    def _parameters_of(self, operation: Operation) -> list[Mapping[str, Any]]:
        """The operation's parameters and its path item's, the operation's winning."""
        shared = self.contract.document["paths"][operation.path].get("parameters", [])
        merged = {}
        for parameter in [*shared, *operation.definition.get("parameters", [])]:
            resolved = self.contract.resolve(parameter)
            merged[(resolved.get("in"), resolved.get("name"))] = resolved
        return list(merged.values())

    def _request_body(self, operation: Operation, sent: Sent) -> list[Violation]:
        documented = self.contract.resolve(operation.definition.get("requestBody") or {})
        if sent.body is None:
            return []
        if not sent.body:
            if not documented.get("required"):
                return []
            return [Violation(REQUEST_BODY, "request.body", "$", "the request body is required")]
        content = documented.get("content", {})
        found = media_type(sent.headers.get("content-type"))
        key = documented_media(content, found) if found else None
        if key is None:
            message = (
                f"{found or 'no Content-Type'} is not a request body {operation.operation_id} takes"
            )
            if content:
                message += f" (documented: {', '.join(content)})"
            return [Violation(REQUEST_CONTENT_TYPE, "request.header.Content-Type", "$", message)]
        schema = content[key].get("schema")
        if schema is None or not is_json(key.lower()):
            return []
        return self._body(REQUEST_BODY, "request.body", schema, sent.body, response=False)

    def response(self, operation: Operation, sent: Sent, answer: Answer) -> list[Violation]:
        """What is wrong with `answer` as `operation`'s response to `sent`."""
        found = []
        if answer.status >= 500:
            message = f"the upstream answered {answer.status}"
            found.append(Violation(SERVER_ERROR, "response.status", "$", message))
        documented = _documented(operation, answer.status)
        if documented is None:
            codes = ", ".join(operation.responses)
            message = f"{answer.status} is not documented for {operation.operation_id} ({codes})"
            found.append(Violation(STATUS, "response.status", "$", message))
            if answer.status >= 400 and self.envelope is not None:
                found += self._body(ERROR_ENVELOPE, "response.body", self.envelope, answer.body)
            return found
        documented = self.contract.resolve(documented)
        found += self._headers(documented, answer)
        if sent.method != "HEAD":
            found += self._content(documented, answer)
        return found

    def _headers(self, documented: Mapping[str, Any], answer: Answer) -> list[Violation]:
        found = []
        for name, header in documented.get("headers", {}).items():
            if name.lower() == "content-type":
                continue  # OpenAPI: described by `content`, never by `headers`
            value = answer.headers.get(name.lower())
            found += self._given(
                HEADERS,
                f"response.header.{name}",
                f"header {name}",
                self.contract.resolve(header),
                None if value is None else [value],
                split=True,
            )
        return found

    def _content(self, documented: Mapping[str, Any], answer: Answer) -> list[Violation]:
        content = documented.get("content") or {}
        if not content:
            return []
        rule = ERROR_ENVELOPE if answer.status >= 400 else BODY
        found = media_type(answer.headers.get("content-type"))
        key = documented_media(content, found) if found else None
        if key is None:
            message = (
                f"{found or 'no Content-Type'} is not documented for {answer.status} "
                f"(documented: {', '.join(content)})"
            )
            violations = [Violation(CONTENT_TYPE, "response.header.Content-Type", "$", message)]
            # An error in another format (problem+json for a JSON envelope): still say
            # where the body leaves the envelope a client's error handling expects.
            envelope = _json_schema(content) if rule == ERROR_ENVELOPE else None
            if envelope is not None and is_json(found):
                violations += self._body(rule, "response.body", envelope, answer.body)
            return violations
        schema = content[key].get("schema")
        if schema is None or not is_json(key.lower()):
            return []
        return self._body(rule, "response.body", schema, answer.body)

    def _body(
        self, rule: str, location: str, schema: Any, body: bytes | None, *, response: bool = True
    ) -> list[Violation]:
        if body is None:
            return []
        try:
            value = parse_json(body)
        except (ValueError, RecursionError) as error:
            return [Violation(rule, location, "$", bounded(f"not JSON: {error}"))]
        return self._schema(rule, location, schema, value, response=response)

    def _schema(
        self, rule: str, location: str, schema: Any, value: Any, *, response: bool
    ) -> list[Violation]:
        return [
            Violation(rule, location, error.json_path, bounded(error.message))
            for error in self.schemas.errors(schema, value, response=response)
        ]


def _documented(operation: Operation, status: int) -> Any:
    """The response `operation` documents for `status`: exact, `4XX`-style, or default."""
    responses = operation.responses
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            return responses[key]
    return None


def _json_schema(content: Mapping[str, Any]) -> Any:
    """The schema of the first JSON media type in `content`, or None."""
    return next(
        (
            item["schema"]
            for key, item in content.items()
            if is_json(key.lower()) and "schema" in item
        ),
        None,
    )


def _envelope(contract: Contract) -> Any:
    """The schema most of the contract's 4xx/5xx JSON responses use: its error envelope
    (None when it documents no error body).
    """
    counts: Counter[str] = Counter()
    nodes = {}
    for operation in contract.operations.values():
        for code, response in operation.responses.items():
            if code != "default" and code[:1] not in ("4", "5"):
                continue
            schema = _json_schema(contract.resolve(response).get("content") or {})
            if schema is not None:
                key = json.dumps(schema, sort_keys=True, default=str)
                counts[key] += 1
                nodes[key] = schema
    return nodes[counts.most_common(1)[0][0]] if counts else None


def _path_values(template: str, path: str) -> list[tuple[str, str]]:
    """(name, value) of each `{name}` segment of `template` in `path`."""
    return [
        (part[1:-1], value)
        for part, value in zip(template.split("/"), path.split("/"), strict=False)
        if part.startswith("{") and part.endswith("}")
    ]
