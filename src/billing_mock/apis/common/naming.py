"""Name conversions shared by the app and the APIs."""

from __future__ import annotations

import re


def snake_case(name: str) -> str:
    """`getBillingData` -> `get_billing_data`, `PlanNotFound` -> `plan_not_found`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
