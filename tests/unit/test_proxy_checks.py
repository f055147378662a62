"""The proxy's rules on the real contracts: documented examples pass, each drift names its rule.

`Checker` is pure (a Contract, a request, a response), so every rule is shown to fire on
a small crafted exchange, and to stay silent on what the contracts themselves document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from billing_mock.apis.registry import api_named, contract_tested
from billing_mock.contract.documents import Contract, Operation
from billing_mock.proxy import checks
from billing_mock.proxy.checks import Answer, Checker, Sent, Violation
from billing_mock.proxy.schemas import Number, Schemas, parse_json

ORG = "3f6c2a9e-8b1d-4c27-9e55-0a7b3c1d2e4f"


def checker(api: str) -> Checker:
    module = api_named(api)
    return Checker(module.contract, module.base_path)


def sent(
    method: str,
    path: str,
    query: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = b"",
) -> Sent:
    return Sent(method, path, query, dict(headers or {}), body)


def answer(
    status: int, body: Any, content_type: str = "application/json", **headers: str
) -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(status, {"content-type": content_type, **headers}, raw)


def example(contract: Contract, operation_id: str, status: str) -> Any:
    response = contract.resolve(contract.operations[operation_id].responses[status])
    examples = response["content"]["application/json"]["examples"]
    return json.loads(json.dumps(next(iter(examples.values()))["value"]))


def _filled_headers(contract: Contract, response: Mapping[str, Any]) -> dict[str, str] | None:
    """Values for the response's required headers, from their enum or example (None if
    one has neither).
    """
    found = {}
    for name, header in response.get("headers", {}).items():
        header = contract.resolve(header)
        schema = contract.resolve(header.get("schema", {}))
        value = header.get("example", schema.get("example", (schema.get("enum") or [None])[0]))
        if value is None:
            if header.get("required"):
                return None
            continue
        found[name.lower()] = str(value)
    return found


def documented_examples() -> Iterator[tuple[str, Operation, int, str, Any, dict[str, str]]]:
    for api in contract_tested():
        contract = api.contract
        for operation in contract.operations.values():
            for status, response in operation.responses.items():
                response = contract.resolve(response)
                headers = _filled_headers(contract, response)
                for media, item in (response.get("content") or {}).items():
                    if headers is None or "json" not in media:
                        continue
                    for name, value in item.get("examples", {}).items():
                        label = f"{api.name}:{operation.operation_id}:{status}:{name}"
                        yield label, operation, int(status), media, value["value"], headers


EXAMPLES = list(documented_examples())


def test_examples_were_found() -> None:
    assert len(EXAMPLES) > 50


@pytest.mark.parametrize(("label", "operation", "status", "media", "value", "headers"), EXAMPLES)
def test_every_documented_example_passes(
    label: str, operation: Operation, status: int, media: str, value: Any, headers: dict[str, str]
) -> None:
    api = label.partition(":")[0]
    found = checker(api).response(
        operation,
        sent(operation.method.upper(), "/"),
        answer(status, value, media, **headers),
    )
    # A documented 5xx is still a server error; nothing else may fire.
    assert [v for v in found if v.rule != checks.SERVER_ERROR] == [], label


def _rules(found: list[Violation]) -> list[str]:
    return [violation.rule for violation in found]


def test_a_float_amount_is_a_schema_violation_at_its_json_path() -> None:
    razorpay = checker("razorpay")
    operation = razorpay.contract.operations["getMySubscription"]
    body = example(razorpay.contract, "getMySubscription", "200")
    body["amount"] = 799.0
    found = razorpay.response(
        operation, sent("GET", "/api/billing/subscription/me"), answer(200, body)
    )
    assert found == [
        Violation(checks.BODY, "response.body", "$.amount", "799.0 is not of type 'string'")
    ]


def test_a_missing_required_field_names_the_object_it_is_missing_from() -> None:
    unpod = checker("unpod")
    operation = unpod.contract.operations["getBillingData"]
    body = example(unpod.contract, "getBillingData", "200")
    del body["data"][0]["invoice_number"]
    found = unpod.response(operation, sent("GET", "/x"), answer(200, body))
    assert [(v.rule, v.path, v.message) for v in found] == [
        (checks.BODY, "$.data[0]", "'invoice_number' is a required property")
    ]


def test_a_problem_json_error_breaks_the_content_type_and_the_envelope() -> None:
    cognita = checker("cognita")
    operation = cognita.contract.operations["getOrganizationBilling"]
    problem = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no"}
    found = cognita.response(
        operation, sent("GET", "/x"), answer(404, problem, "application/problem+json")
    )
    assert _rules(found)[0] == checks.CONTENT_TYPE
    assert set(_rules(found)[1:]) == {checks.ERROR_ENVELOPE}
    assert "application/problem+json is not documented for 404" in found[0].message


def test_a_500_and_an_undocumented_status_are_named() -> None:
    stripe = checker("stripe")
    operation = stripe.contract.operations["getStripeBillingDetails"]
    found = stripe.response(operation, sent("GET", "/x"), answer(500, b"boom", "text/plain"))
    assert _rules(found) == [checks.SERVER_ERROR, checks.CONTENT_TYPE]  # 500 is documented
    problem = stripe.response(operation, sent("GET", "/x"), answer(500, {"detail": "boom"}))
    assert _rules(problem) == [checks.SERVER_ERROR, checks.ERROR_ENVELOPE, checks.ERROR_ENVELOPE]
    envelope = {"statusCode": 418, "message": "teapot", "error": "I'm a Teapot"}
    assert _rules(stripe.response(operation, sent("GET", "/x"), answer(418, envelope))) == [
        checks.STATUS
    ]


def test_a_required_response_header_missing_or_off_its_schema() -> None:
    razorpay = checker("razorpay")
    operation = razorpay.contract.operations["getInvoicePdf"]
    pdf = b"%PDF-1.4"
    missing = razorpay.response(operation, sent("GET", "/x"), answer(200, pdf, "application/pdf"))
    assert [(v.rule, v.location) for v in missing] == [
        (checks.HEADERS, "response.header.Cache-Control"),
        (checks.HEADERS, "response.header.Content-Disposition"),
    ]
    disposition = 'inline; filename="INV-00118.pdf"'
    headers = {"cache-control": "no-store", "content-disposition": disposition}
    wrong = razorpay.response(
        operation, sent("GET", "/x"), answer(200, pdf, "application/pdf", **headers)
    )
    assert [(v.rule, v.location) for v in wrong] == [
        (checks.HEADERS, "response.header.Cache-Control")
    ]


def test_request_parameters_and_bodies_are_checked() -> None:
    unpod = checker("unpod")
    operation = unpod.contract.operations["getBillingData"]
    path = "/api/v2/platform/organisation/billing/"
    found = unpod.request(operation, sent("GET", path, "page=0&page_size=abc"))
    assert sorted((v.rule, v.location) for v in found) == [
        (checks.REQUEST_PARAMETERS, "request.header.Org-Handle"),
        (checks.REQUEST_PARAMETERS, "request.query.page"),
        (checks.REQUEST_PARAMETERS, "request.query.page_size"),
    ]
    razorpay = checker("razorpay")
    checkout = razorpay.contract.operations["createCheckout"]
    json_type = {"content-type": "application/json"}
    bad = sent("POST", "/api/billing/checkout", headers=json_type, body=b'{"planId": 7}')
    assert checks.REQUEST_BODY in _rules(razorpay.request(checkout, bad))
    text = sent("POST", "/api/billing/checkout", headers={"content-type": "text/plain"}, body=b"x")
    assert _rules(razorpay.request(checkout, text)) == [checks.REQUEST_CONTENT_TYPE]
    good = b'{"planId": "growth", "billingCycle": "monthly"}'
    ok = sent("POST", "/api/billing/checkout", headers=json_type, body=good)
    assert razorpay.request(checkout, ok) == []


def test_routing_names_undocumented_paths_and_methods_and_skips_preflights() -> None:
    unpod = checker("unpod")
    base = "/api/v2/platform"
    operation, violation = unpod.route(sent("GET", f"{base}/organisation/billing/"))
    assert operation is not None
    assert violation is None
    assert unpod.route(sent("HEAD", f"{base}/organisation/billing/"))[0] == operation
    _, path = unpod.route(sent("GET", f"{base}/nope"))
    assert path is not None
    assert path.rule == checks.UNDOCUMENTED_PATH
    _, method = unpod.route(sent("DELETE", f"{base}/organisation/billing/"))
    assert method is not None
    assert method.rule == checks.UNDOCUMENTED_METHOD
    assert "documented: GET" in method.message
    preflight = {"origin": "http://localhost:3000", "access-control-request-method": "GET"}
    assert unpod.route(sent("OPTIONS", f"{base}/x", headers=preflight)) == (None, None)
    assert checks.outside("/elsewhere").rule == checks.UNDOCUMENTED_PATH


def test_path_parameters_are_checked_against_their_schema() -> None:
    stripe = checker("stripe")
    operation = stripe.contract.operations["getStripeBillingDetails"]
    ok = sent("GET", f"/v1/organizations/{ORG}/stripe/billing-details")
    assert stripe.request(operation, ok) == []
    bad = sent("GET", "/v1/organizations/not-a-uuid/stripe/billing-details")
    assert {v.location for v in stripe.request(operation, bad)} == {"request.path.orgId"}


def test_numbers_are_parsed_exactly_and_text_coerced_by_schema() -> None:
    value = parse_json(b'{"amount": 0.1, "count": 3}')
    assert isinstance(value["amount"], Number)
    assert str(value["amount"]) == "0.1"
    assert type(value["count"]) is int
    schemas = Schemas(api_named("unpod").contract)
    assert schemas.coerce({"type": "integer"}, ["10"], split=False) == 10
    assert schemas.coerce({"type": "integer"}, ["ten"], split=False) == "ten"
    assert schemas.coerce({"type": "boolean"}, ["true"], split=False) is True
    array = {"type": "array", "items": {"type": "integer"}}
    assert schemas.coerce(array, ["1,2", "3"], split=True) == [1, 2, 3]
    assert schemas.coerce(array, ["1", "3"], split=False) == [1, 3]
