"""Request validation tweaks: parameter errors that name the parameter, in one line, and
JSON bodies that Python cannot parse refused as 400 where connexion parses them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.types import Scope

UNREADABLE_BODY = "Malformed request body: not UTF-8 encoded JSON."
TOO_DEEP = "Malformed request body: nested too deep."
NUMBER_TOO_LONG = "Malformed request body: a number too long."


class NamedParameterValidator(ParameterValidator):  # type: ignore[misc]
    """connexion's parameter validator, with messages such as
    "Invalid query parameter page_size: 500 is greater than the maximum of 100"
    instead of a multi-line jsonschema dump that never names the parameter.
    """

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        """The error message for `value` of parameter `param`, or None when it is valid."""
        name = param.get("name", param_name)
        if value is None:
            if param.get("required"):
                return f"Missing required {parameter_type}: {name}"
            return None
        try:
            _validator(param.get("schema", param)).validate(value)
        except ValidationError as error:
            return f"Invalid {parameter_type} parameter {name}: {error.message}"
        return None


_VALIDATORS: dict[int, tuple[dict[str, Any], Draft4Validator]] = {}


def _validator(schema: dict[str, Any]) -> Draft4Validator:
    """One validator per parameter schema: building one per request was a tenth of the
    request time. Keyed by identity (schemas are the contract's, alive as long as the
    app); the schema is held so its id cannot be reused.
    """
    found = _VALIDATORS.get(id(schema))
    if found is None or found[0] is not schema:
        found = schema, Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        _VALIDATORS[id(schema)] = found
    return found[1]


class ParsedJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """connexion's JSON body validator, whose one parse of the body also refuses, as 400,
    what Python's `json` raises besides JSONDecodeError: a body that is not UTF-8, JSON
    nested deeper than the interpreter's recursion limit (RecursionError), an integer of
    more than 4,300 digits (ValueError). connexion lets those escape as 500s.
    """

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        try:
            return await super()._parse(stream, scope)
        except UnicodeDecodeError:
            raise BadRequestProblem(detail=UNREADABLE_BODY) from None
        except RecursionError:
            raise BadRequestProblem(detail=TOO_DEEP) from None
        except ValueError:  # JSONDecodeError is one, but super() has made it a 400 already
            raise BadRequestProblem(detail=NUMBER_TOO_LONG) from None


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": ParsedJSONBodyValidator}),
}
"""connexion's validator map with NamedParameterValidator for parameters and
ParsedJSONBodyValidator for JSON bodies."""
