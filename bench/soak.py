"""The soak: the mix's capacity measured on a fresh mock, then a paced soak at 80% of it.

`soak.lua` sends the mix, unpaced for the calibration and paced for the soak; the
control API (`/__mock`) resets the state between the two and shows lumen.studio's
before and after, which the checks compare.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from load import LoadSettings, WrkResult, run_wrk
from operations import Credentials, Operation
from paths import RESULTS, SOAK_LUA
from progress import say
from servers import HOST, MB, Server, free_port, http_get, mock_command, serving

from billing_mock.domain.terms import UNPAID_ORDERS_KEPT

SOAK_SHARE = 0.8
"""The soak's rate as a share of the mix's capacity, measured by the calibration run."""
SOAK_SHORTFALL = 0.9
"""Achieved over paced rate below which the soak is reported as having fallen behind."""
CALIBRATION_WARMUP = 2.0
CALIBRATION_SECONDS = 8.0
"""The calibration: the soak's mix unpaced, a warm-up and then a measured run (seconds)."""
SOAK_MIX = {"unpod": 3, "stripe": 2, "cognita": 1, "razorpay": 1, "lumen-me": 1, "checkout": 2}
"""The soak's requests by weight (per 10): reads of every API and checkouts (20%)."""
ORGANISATION = "lumen.studio"
"""Whose checkouts the mix sends, and whose state is checked."""
CONTROL_HEADERS = {"X-Mock-Control-Token": "local"}
SETTLE_STEP = 0.25
SETTLE_TIMEOUT = 5.0
"""How often and how long to read the order count until it stops changing."""


def soak_mix(ops: Sequence[Operation], credentials: Credentials) -> Path:
    """The soak's request file for soak.lua: weighted, interleaved (smooth round robin)."""
    by_api = {operation.api: operation for operation in ops}
    lumen = {"X-API-Key": credentials.clara_api_key}
    requests: dict[str, tuple[str, str, str, dict[str, str]]] = {
        api: ("GET", by_api[api].path, "-", by_api[api].headers)
        for api in ("unpod", "stripe", "cognita", "razorpay")
    }
    requests["lumen-me"] = ("GET", by_api["razorpay"].path, "-", lumen)
    requests["checkout"] = (
        "POST",
        by_api["razorpay"].base_path + "/checkout",
        json.dumps({"planId": "growth", "billingCycle": "monthly"}),
        {**lumen, "Content-Type": "application/json"},
    )
    current = dict.fromkeys(SOAK_MIX, 0)
    total = sum(SOAK_MIX.values())
    lines = []
    for _ in range(total):
        for name, weight in SOAK_MIX.items():
            current[name] += weight
        chosen = max(current, key=lambda name: current[name])
        current[chosen] -= total
        method, path, body, headers = requests[chosen]
        fields = [method, path, body, *(f"{key}: {value}" for key, value in headers.items())]
        lines.append("\t".join(fields))
    mix = RESULTS / "soak-mix.tsv"
    mix.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mix


def organisation_state(origin: str, handle: str = ORGANISATION) -> dict[str, Any]:
    """The control API's view of one organisation."""
    status, body = http_get(f"{origin}/__mock/organisations/{handle}", CONTROL_HEADERS)
    if status != 200:
        raise RuntimeError(f"/__mock/organisations/{handle} answered {status}")
    state: dict[str, Any] = json.loads(body)
    return state


def reset_state(origin: str) -> None:
    """`POST /__mock/reset`: every organisation back to the fixtures' state."""
    request = urllib.request.Request(
        f"{origin}/__mock/reset", data=b"", headers=CONTROL_HEADERS, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"/__mock/reset answered {response.status}")


def settled_state(origin: str) -> dict[str, Any]:
    """The organisation's state once its order count stops changing.

    wrk stops with requests in flight and the server still completes those checkouts, so
    the count can move for a moment after wrk has exited.
    """
    state = organisation_state(origin)
    deadline = time.perf_counter() + SETTLE_TIMEOUT
    while time.perf_counter() < deadline:
        time.sleep(SETTLE_STEP)
        latest = organisation_state(origin)
        if latest["orders"]["created"] == state["orders"]["created"]:
            return latest
        state = latest
    raise RuntimeError(f"{ORGANISATION}'s order count still moving {SETTLE_TIMEOUT:g} s after wrk")


def _mix_args(
    mix: Path, rate: float, seconds: float, drain: float, load: LoadSettings
) -> list[str]:
    """soak.lua's arguments; the rate is per wrk thread, 0 for unpaced."""
    return [str(mix), f"{rate / load.threads:.3f}", f"{seconds:g}", f"{drain:g}"]


def calibrate(server: Server, mix: Path, load: LoadSettings, fixture_orders: int) -> dict[str, Any]:
    """The mix's capacity: soak.lua unpaced on the soak's server, then the state reset.

    Reset rather than counted: wrk's 201s miss the checkouts still in flight when it
    stops, which the server completes anyway, so the calibration's share of the order
    count is not known exactly from wrk's side. Resetting (once the count has settled)
    puts lumen.studio back to the fixtures' state, which the soak checks against the state
    read on the fresh server, so the soak's checks stay exact comparisons.
    """
    logs = RESULTS / "wrk"
    say(
        f"soak: calibration, the mix unpaced: {CALIBRATION_WARMUP:g} s warm-up, "
        f"{CALIBRATION_SECONDS:g} s measured"
    )
    warmup_args = _mix_args(mix, 0, CALIBRATION_WARMUP, 0, load)
    run_wrk(
        server.origin,
        {},
        CALIBRATION_WARMUP,
        load,
        logs / "soak-calibration-warmup.txt",
        script=SOAK_LUA,
        script_args=warmup_args,
    )
    orders_from = settled_state(server.origin)["orders"]["created"]
    rss_before = server.sampler.sample()
    result = run_wrk(
        server.origin,
        {},
        CALIBRATION_SECONDS,
        load,
        logs / "soak-calibration.txt",
        script=SOAK_LUA,
        script_args=_mix_args(mix, 0, CALIBRATION_SECONDS, 0, load),
    )
    orders_to = settled_state(server.origin)["orders"]["created"]
    rss_after = server.sampler.sample()
    reset_state(server.origin)
    if result.requests == 0:
        raise RuntimeError("soak calibration: the mock answered no requests")
    say(f"soak: calibration {result.rps:.0f} req/s; state reset")
    return {
        "warmup_seconds": CALIBRATION_WARMUP,
        "seconds": CALIBRATION_SECONDS,
        "wrk": asdict(result),
        "orders_created": orders_to - orders_from,
        "orders_dropped_by_reset": orders_to - fixture_orders,
        "rss_before_mb": round(rss_before / MB, 1),
        "rss_after_mb": round(rss_after / MB, 1),
    }


def soak(
    ops: Sequence[Operation],
    credentials: Credentials,
    seconds: float,
    load: LoadSettings,
    rate: float | None = None,
    flags: Sequence[str] = (),
    name: str = "mock-soak",
) -> dict[str, Any]:
    """Calibrate, then the mix paced at `rate` (default: SOAK_SHARE of the calibration's
    req/s) for `seconds` on the same server (`serve` with `flags`); errors, RSS and state
    after.
    """
    mix = soak_mix(ops, credentials)
    port = free_port()
    origin = f"http://{HOST}:{port}"
    unpod = ops[0]
    drain = min(2.0, seconds / 5)
    command = [*mock_command(port), *flags]
    with serving(name, command, origin, unpod.path, unpod.headers) as server:
        fixture = organisation_state(origin)
        calibration = calibrate(server, mix, load, fixture["orders"]["created"])
        capacity = calibration["wrk"]["rps"]
        target = rate or SOAK_SHARE * capacity
        rss_start = server.sampler.sample()
        before = organisation_state(origin)
        say(f"soak: {target:.0f} req/s for {seconds:g} s (mix {SOAK_MIX})")
        soak_start = server.sampler.new_segment()
        result = run_wrk(
            origin,
            {},
            seconds,
            load,
            RESULTS / "wrk" / "soak.txt",
            script=SOAK_LUA,
            script_args=_mix_args(mix, target, seconds, drain, load),
        )
        rss_end = server.sampler.sample()
        after = organisation_state(origin)
        peak = server.sampler.segment_peak
        first_200 = server.first_200_s
        rss_fresh = server.rss_at_ready
        timeline = server.sampler.every(soak_start, max(seconds / 6, 1))
    figures = _outcome(result, fixture, before, after)
    say(
        f"soak: {result.rps:.0f} of {target:.0f} req/s, checkouts "
        f"{figures['checkouts_created']}/{figures['checkouts_sent']}, checks {figures['checks']}"
    )
    return {
        "seconds": seconds,
        "drain_seconds": drain,
        "mix": SOAK_MIX,
        "calibration": calibration,
        "capacity_rps": capacity,
        "share": None if rate else SOAK_SHARE,
        "target_rate": round(target, 1),
        "achieved_rate": result.rps,
        "achieved_share": round(result.rps / target, 3),
        "fell_behind": result.rps < SOAK_SHORTFALL * target,
        "wrk": asdict(result),
        **figures,
        "rss_fresh_mb": round(rss_fresh / MB, 1),
        "rss_start_mb": round(rss_start / MB, 1),
        "rss_end_mb": round(rss_end / MB, 1),
        "rss_peak_mb": round(peak / MB, 1),
        "rss_timeline_mb": timeline,
        "first_200_s": round(first_200, 3),
    }


def _outcome(
    result: WrkResult,
    fixture: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
) -> dict[str, Any]:
    """Statuses, checkouts and lumen.studio's state before and after, and the checks on them.

    `fixture` is the state on the fresh server, `before` the state after the calibration
    and the reset, when the soak starts.
    """
    created = result.extra.get("checkouts_created", 0)
    sent = result.extra.get("checkouts_sent", 0)
    statuses = {
        key.removeprefix("status_"): value
        for key, value in result.extra.items()
        if key.startswith("status_")
    }
    non_2xx = sum(count for status, count in statuses.items() if not status.startswith("2"))
    checks = {
        "reset_to_fixture": before == fixture,
        "no_errors": non_2xx == 0 and result.transport_errors == 0 and result.status_errors == 0,
        "every_checkout_answered": sent == created,
        "orders_equal_checkouts": after["orders"]["created"] - before["orders"]["created"]
        == created,
        "orders_kept_bounded": after["orders"]["count"]
        <= UNPAID_ORDERS_KEPT + after["payments"]["count"],
        "payments_unchanged": after["payments"] == before["payments"],
        "invoices_unchanged": after["invoices"] == before["invoices"],
        "subscription_unchanged": after["subscription"] == before["subscription"],
    }
    return {
        "statuses": statuses,
        "non_2xx": non_2xx,
        "checkouts_sent": sent,
        "checkouts_created": created,
        "orders_before": before["orders"]["created"],
        "orders_after": after["orders"]["created"],
        "orders_kept": after["orders"]["count"],
        "payments_before": before["payments"]["count"],
        "payments_after": after["payments"]["count"],
        "subscription_status": after["subscription"]["status"],
        "checks": checks,
    }
