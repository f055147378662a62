"""`X-Mock-Fault: timeout` on a real server: no answer until the client gives up, and
the server goes on serving everyone else meanwhile.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import fixture_users
from tests.e2e.test_serve import serving

KEY = {"X-API-Key": fixture_users()["priya.sharma@recalll.co"]["memberships"][0]["api_key"]}
ME = "/api/billing/subscription/me"


def test_a_timeout_fault_answers_nothing_until_the_client_gives_up() -> None:
    with serving(42) as origin:
        started = time.monotonic()
        with pytest.raises(requests.ReadTimeout):
            requests.get(origin + ME, headers={**KEY, "X-Mock-Fault": "timeout"}, timeout=1.5)
        assert time.monotonic() - started >= 1.5
        # Meanwhile and afterwards, other requests are answered at once.
        assert requests.get(origin + ME, headers=KEY, timeout=5).status_code == 200
