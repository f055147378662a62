"""Request validation tweaks: parameter errors that name the parameter, in one line."""

from __future__ import annotations

from typing import Any

from connexion.validators import VALIDATOR_MAP, ParameterValidator
from jsonschema import Draft4Validator, ValidationError


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


VALIDATORS = {**VALIDATOR_MAP, "parameter": NamedParameterValidator}
"""connexion's validator map with NamedParameterValidator for parameters."""
