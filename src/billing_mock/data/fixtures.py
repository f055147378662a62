"""Loads `fixtures/*.yaml` (organisations, plans, users, checkout) into domain entities.

A malformed fixture raises FixtureError naming the file, the entry and the field, so a
broken edit fails at start-up with a message that says where to look.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

import yaml

from billing_mock.domain.models import (
    BillingCycle,
    Coupon,
    Entitlements,
    GatewayKeys,
    Membership,
    Organisation,
    Plan,
    Role,
    User,
)
from billing_mock.domain.money import exponent
from billing_mock.domain.scenarios import SCENARIOS

FIXTURES_PACKAGE = "billing_mock.fixtures"
"""The package that holds the default fixtures: `fixtures/` at the repository root."""

# libyaml's loader parses about 10x faster than the pure-Python one; both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

T = TypeVar("T")


class FixtureError(ValueError):
    """A fixture file is missing, unreadable, or has a field of the wrong shape."""


@dataclass(frozen=True, slots=True)
class FixtureSet:
    """Everything read from the fixtures directory; generation adds the rest per seed."""

    as_of: datetime
    organisations: tuple[Organisation, ...]
    plans: Mapping[str, Plan]
    users: tuple[User, ...]
    coupons: Mapping[str, Coupon]
    gateway: GatewayKeys


def default_fixtures() -> Traversable:
    """The fixtures that ship with the package (`billing_mock.fixtures`, package data)."""
    return resources.files(FIXTURES_PACKAGE)


def load_fixtures(directory: Traversable | None = None) -> FixtureSet:
    """Read organisations.yaml, plans.yaml, users.yaml and checkout.yaml from `directory`
    (a `pathlib.Path` or package resources; default: `default_fixtures()`).

    Raises FixtureError for a missing file, a missing or ill-typed field, a plan or
    membership that names nothing, or a duplicate handle, id, coupon or credential.
    """
    directory = directory or default_fixtures()
    orgs_doc = _read(directory / "organisations.yaml")
    plans = {
        plan.id: plan
        for plan in _entries(_read(directory / "plans.yaml"), "plans", "plans.yaml", _plan)
    }
    as_of = _field(orgs_doc, "as_of", "organisations.yaml", _timestamp)
    organisations = _entries(orgs_doc, "organisations", "organisations.yaml", _organisation)
    users = _entries(_read(directory / "users.yaml"), "users", "users.yaml", _user)
    checkout_doc = _read(directory / "checkout.yaml")
    coupons = _entries(checkout_doc, "coupons", "checkout.yaml", _coupon)
    _unique([coupon.code.upper() for coupon in coupons], "checkout.yaml: duplicate coupon")
    fixtures = FixtureSet(
        as_of,
        tuple(organisations),
        plans,
        tuple(users),
        {coupon.code: coupon for coupon in coupons},
        _field(checkout_doc, "gateway", "checkout.yaml", _gateway),
    )
    _check_references(fixtures)
    return fixtures


def _read(path: Traversable) -> Mapping[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise FixtureError(f"{path}: {error}") from error
    if not isinstance(document, Mapping):
        raise FixtureError(f"{path}: expected a mapping at the top level")
    return document


def _entries(
    document: Mapping[str, Any],
    key: str,
    where: str,
    build: Callable[[Mapping[str, Any], str], T],
) -> list[T]:
    entries = _field(document, key, where, list)
    return [build(entry, f"{where}: {key}[{index}]") for index, entry in enumerate(entries)]


def _field(entry: Any, key: str, where: str, convert: Callable[[Any], T]) -> T:
    if not isinstance(entry, Mapping) or key not in entry:
        raise FixtureError(f"{where}: missing field {key!r}")
    try:
        return convert(entry[key])
    except (TypeError, ValueError, InvalidOperation, KeyError) as error:
        raise FixtureError(f"{where}: field {key!r}: {error}") from error


def _timestamp(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-11-15T09:30:00Z")
    return parsed.astimezone(UTC)


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value))


def _scenario(value: Any) -> str:
    name = str(value)
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return name


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, not {value!r}")
    return value


def _uuid(value: Any) -> str:
    text = str(value)
    if str(uuid.UUID(text)) != text:
        raise ValueError(f"{text!r} is not a lower-case hyphenated UUID")
    return text


def _currency(value: Any) -> str:
    code = str(value)
    exponent(code)
    return code


def _prices(value: Any) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise TypeError("expected a mapping of ISO 4217 code to a decimal string")
    prices = {}
    for currency, amount in value.items():
        _currency(currency)
        if not isinstance(amount, str):
            raise TypeError(f"{currency}: write amounts as quoted decimal strings, not {amount!r}")
        prices[str(currency)] = Decimal(amount)
    return prices


def _plan(entry: Mapping[str, Any], where: str) -> Plan:
    usage = _field(entry, "usage", where, dict)
    allows = _field(entry, "entitlements", where, dict)
    entitlements = Entitlements(
        max_meetings_per_month=_field(
            allows, "max_meetings_per_month", f"{where}.entitlements", int
        ),
        ai_summary=_field(allows, "ai_summary", f"{where}.entitlements", _bool),
        recording_storage_gb=_field(allows, "recording_storage_gb", f"{where}.entitlements", int),
    )
    return Plan(
        id=_field(entry, "id", where, str),
        name=_field(entry, "name", where, str),
        monthly_price=_field(entry, "monthly_price", where, _prices),
        yearly_price=_field(entry, "yearly_price", where, _prices),
        entitlements=entitlements,
        usage_unit=_field(usage, "unit", f"{where}.usage", str),
        included_units=_field(usage, "included", f"{where}.usage", int),
        overage_price=_field(usage, "overage_price", f"{where}.usage", _prices),
    )


def _billing_day(value: Any) -> int:
    day = int(value)
    if not 1 <= day <= 28:
        raise ValueError("must be 1 to 28, a day every month has")
    return day


def _organisation(entry: Mapping[str, Any], where: str) -> Organisation:
    return Organisation(
        id=_field(entry, "id", where, _uuid),
        handle=_field(entry, "handle", where, str),
        name=_field(entry, "name", where, str),
        billing_email=_field(entry, "billing_email", where, str),
        currency=_field(entry, "currency", where, _currency),
        country=_field(entry, "country", where, str),
        products=tuple(_field(entry, "products", where, list)),
        plan_id=_field(entry, "plan", where, str),
        invoice_count=_field(entry, "invoice_count", where, int),
        first_invoice_number=_field(entry, "first_invoice_number", where, int),
        billing_day=_field(entry, "billing_day", where, _billing_day),
        trial_started=_field(entry, "trial_started", where, _date)
        if "trial_started" in entry
        else None,
    )


def _user(entry: Mapping[str, Any], where: str) -> User:
    return User(
        id=_field(entry, "id", where, str),
        email=_field(entry, "email", where, str),
        name=_field(entry, "name", where, str),
        memberships=tuple(_entries(entry, "memberships", where, _membership)),
        jwt=_field(entry, "jwt", where, str),
        api_token=_field(entry, "api_token", where, str),
        bearer=_field(entry, "bearer", where, str),
    )


def _membership(entry: Mapping[str, Any], where: str) -> Membership:
    return Membership(
        organisation=_field(entry, "organisation", where, str),
        role=_field(entry, "role", where, Role),
        api_key=_field(entry, "api_key", where, str),
        session=_field(entry, "session", where, str),
    )


def _coupon(entry: Mapping[str, Any], where: str) -> Coupon:
    percent = _field(entry, "percent_off", where, lambda value: Decimal(str(value)))
    if not 0 < percent <= 100:
        raise FixtureError(f"{where}: field 'percent_off': must be above 0 and at most 100")
    return Coupon(
        code=_field(entry, "code", where, str),
        percent_off=percent,
        valid_from=_field(entry, "valid_from", where, _timestamp),
        valid_until=_field(entry, "valid_until", where, _timestamp),
        billing_cycles=_field(entry, "billing_cycles", where, _cycles),
    )


def _cycles(value: Any) -> frozenset[BillingCycle]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of monthly/yearly, not {value!r}")
    return frozenset(BillingCycle(cycle) for cycle in value)


def _gateway(entry: Any) -> GatewayKeys:
    where = "checkout.yaml: gateway"
    return GatewayKeys(
        key_id=_field(entry, "key_id", where, str),
        key_secret=_field(entry, "key_secret", where, str),
    )


def _check_references(fixtures: FixtureSet) -> None:
    handles = [org.handle for org in fixtures.organisations]
    _unique(handles, "organisations.yaml: duplicate handle")
    _unique([org.id for org in fixtures.organisations], "organisations.yaml: duplicate id")
    for org in fixtures.organisations:
        plan = fixtures.plans.get(org.plan_id)
        if plan is None:
            raise FixtureError(f"organisations.yaml: {org.handle}: unknown plan {org.plan_id!r}")
        for prices in (plan.monthly_price, plan.yearly_price, plan.overage_price):
            if org.currency not in prices:
                raise FixtureError(
                    f"plans.yaml: {plan.id}: no {org.currency} price, needed by {org.handle}"
                )
    for user in fixtures.users:
        for member in user.memberships:
            if member.organisation not in handles:
                raise FixtureError(
                    f"users.yaml: {user.email}: unknown organisation {member.organisation!r}"
                )
    _unique([user.id for user in fixtures.users], "users.yaml: duplicate id")
    credentials = [
        token
        for user in fixtures.users
        for token in (
            user.jwt,
            user.api_token,
            user.bearer,
            *(key for member in user.memberships for key in (member.api_key, member.session)),
        )
    ]
    _unique(credentials, "users.yaml: a credential is shared by two users")


def _unique(values: list[str], message: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise FixtureError(f"{message}: {value}")
        seen.add(value)
