"""Fixture loading: the shipped fixtures load; a broken one names file and field."""

import shutil
from pathlib import Path

import pytest

from billing_mock.data.fixtures import FixtureError, load_fixtures
from tests.conftest import FIXTURES


def test_shipped_fixtures_load() -> None:
    fixtures = load_fixtures(FIXTURES)
    handles = [org.handle for org in fixtures.organisations]
    assert "recalll.co" in handles
    assert fixtures.as_of.tzinfo is not None


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    shutil.copytree(FIXTURES, tmp_path, dirs_exist_ok=True)
    path = tmp_path / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return tmp_path


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "organisations.yaml",
            "currency: INR",
            "currency: RUPEES",
            "organisations[0]: field 'currency'",
        ),
        ("organisations.yaml", "plan: growth", "plan: platinum", "unknown plan 'platinum'"),
        ("organisations.yaml", "billing_day: 12", "billing_day: 31", "field 'billing_day'"),
        ("plans.yaml", 'INR: "499.00"', "INR: 499.0", "write amounts as quoted decimal strings"),
        (
            "users.yaml",
            "{organisation: recalll.co, role: owner",
            "{organisation: nowhere.io, role: owner",
            "unknown organisation 'nowhere.io'",
        ),
        ("users.yaml", "role: owner", "role: boss", "users[0]: memberships[0]: field 'role'"),
        (
            "checkout.yaml",
            'percent_off: "20"',
            'percent_off: "120"',
            "coupons[0]: field 'percent_off'",
        ),
        (
            "checkout.yaml",
            "billing_cycles: [yearly]",
            "billing_cycles: [weekly]",
            "coupons[1]: field 'billing_cycles'",
        ),
        (
            "checkout.yaml",
            "  key_secret: gcQGq40lvbeROPs59rItZXmX\n",
            "",
            "gateway: missing field 'key_secret'",
        ),
        (
            "organisations.yaml",
            'trial_started: "2026-10-01"',
            'trial_started: "October"',
            "organisations[4]: field 'trial_started'",
        ),
        ("users.yaml", "    name: Priya Sharma\n", "", "users[0]: missing field 'name'"),
    ],
)
def test_broken_fixture_names_the_place(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(FixtureError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_fixtures(_broken(tmp_path, name, old, new))
