"""The report's soak section: the mix's measured capacity, the pace, what was achieved,
errors, lumen.studio's state before and after, and RSS.
"""

from __future__ import annotations

from typing import Any

from soak import ORGANISATION, SOAK_SHORTFALL

from billing_mock.domain.terms import UNPAID_ORDERS_KEPT

GROWTH_MIN_ORDERS = 1000
"""Orders past the reused memory below which the soak gives no growth figure of its own:
at about 1 MB per 1000 orders, fewer would be lost in RSS's page-sized steps."""


def soak_section(soak: dict[str, Any]) -> list[str]:
    """The soak's paragraph, its table, the RSS growth and whether the pace was kept."""
    result = soak["wrk"]
    calibration = soak["calibration"]
    checks = soak["checks"]
    return [
        "## Soak",
        "",
        f"{soak['seconds']:g} s of reads and checkouts for {ORGANISATION} on a fresh mock, "
        f"mix per 10 requests {soak['mix']} (`bench/results/soak-mix.tsv`, "
        "`bench/soak.lua`). Its reads may be answered from the response cache; every "
        "checkout changes state, which empties it, so this mix runs at a small fraction "
        "of the cached-read rate. Its own capacity is measured first, on the same "
        f"server: the mix unpaced, {calibration['warmup_seconds']:g} s warm-up then "
        f"{calibration['seconds']:g} s measured (the calibration). `POST /__mock/reset` "
        "then returns the state to the fixtures' (checked against the state read on the "
        f"fresh server), and the soak runs paced at {_pace(soak)}. Checkouts stop for the "
        f"last {soak['drain_seconds']:g} s so each one sent is answered before wrk stops.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| mix capacity (calibration, unpaced) | {calibration['wrk']['requests']} requests, "
        f"**{soak['capacity_rps']:.0f} req/s**; p50 / p99 "
        f"{calibration['wrk']['p50_ms']:.2f} / {calibration['wrk']['p99_ms']:.2f} ms |",
        f"| calibration's checkouts | {_calibration_checkouts(calibration)} |",
        f"| paced target | **{soak['target_rate']:.0f} req/s** "
        f"({soak['target_rate'] / soak['capacity_rps']:.0%} of capacity) |",
        f"| achieved | {result['requests']} requests, **{soak['achieved_rate']:.0f} req/s** "
        f"({soak['achieved_share']:.0%} of the target) |",
        f"| latency p50 / p99 / max | {result['p50_ms']:.2f} / {result['p99_ms']:.2f} / "
        f"{result['max_ms']:.1f} ms |",
        f"| statuses | {soak['statuses']} |",
        f"| errors | {soak['non_2xx']} non-2xx, {result['transport_errors']} transport |",
        f"| checkouts sent / 201 | {soak['checkouts_sent']} / {soak['checkouts_created']} |",
        f"| {ORGANISATION} orders before / after | {soak['orders_before']} / "
        f"{soak['orders_after']} (before = fixtures' state: {checks['reset_to_fixture']}) |",
        f"| {ORGANISATION} payments before / after | {soak['payments_before']} / "
        f"{soak['payments_after']} |",
        f"| subscription after | {soak['subscription_status']} (unchanged: "
        f"{checks['subscription_unchanged']}) |",
        f"| RSS fresh / after calibration / soak start (after reset) / end / peak | "
        f"{soak['rss_fresh_mb']:.1f} / {calibration['rss_after_mb']:.1f} / "
        f"{soak['rss_start_mb']:.1f} / {soak['rss_end_mb']:.1f} / {soak['rss_peak_mb']:.1f} MB |",
        "| RSS over the soak (s: MB) | "
        + ", ".join(f"{at:g}: {mb:.1f}" for at, mb in soak["rss_timeline_mb"])
        + " |",
        f"| checks | {checks} |",
        "",
        *_growth(soak),
        "",
        _verdict(soak),
    ]


def _calibration_checkouts(calibration: dict[str, Any]) -> str:
    """What the calibration's checkouts did to the state, up to the reset."""
    extra = calibration["wrk"]["extra"]
    answered = extra.get("checkouts_created", 0)
    created = calibration["orders_created"]
    late = f" ({created - answered} completed after wrk stopped)" if created > answered else ""
    return (
        f"{extra.get('checkouts_sent', 0)} sent in the measured run, {answered} answered "
        f"201 before wrk stopped, {created} orders created{late}; "
        f"{calibration['orders_dropped_by_reset']} orders, the warm-up's included, dropped "
        "by the reset"
    )


def _pace(soak: dict[str, Any]) -> str:
    """Where the soak's rate came from."""
    if soak["share"] is None:
        return f"{soak['target_rate']:.0f} req/s (set by `--soak-rate`)"
    return f"{soak['share']:.0%} of that capacity"


def _growth(soak: dict[str, Any]) -> list[str]:
    """RSS per 1000 orders in the calibration's measured run and in the soak, and why the
    soak's can read low.
    """
    calibration = soak["calibration"]
    calibration_mb = calibration["rss_after_mb"] - calibration["rss_before_mb"]
    soak_mb = soak["rss_end_mb"] - soak["rss_start_mb"]
    orders = soak["orders_after"] - soak["orders_before"]
    dropped = calibration["orders_dropped_by_reset"]
    past = orders - dropped
    reading = (
        f"this soak created {orders}: counting only the {past} past them, "
        f"{_per_thousand(soak_mb, past)} MB per 1000."
        if past >= GROWTH_MIN_ORDERS
        else f"this soak created {orders}, too few past them for its figure to show the "
        "growth: read the calibration's."
    )
    return [
        f"Each organisation keeps its {UNPAID_ORDERS_KEPT} newest unpaid orders, so RSS "
        "should stay flat however many checkouts the soak makes. Per 1000 orders created: "
        f"{_per_thousand(calibration_mb, calibration['orders_created'])} MB in the "
        f"calibration's measured run ({calibration_mb:+.1f} MB for "
        f"{calibration['orders_created']} orders), {_per_thousand(soak_mb, orders)} MB in "
        f"the soak ({soak_mb:+.1f} MB for {orders} orders). The reset dropped the "
        f"calibration's {dropped} orders (its warm-up's included) but the process kept the "
        f"memory they held (RSS {calibration['rss_after_mb']:.1f} MB before the reset, "
        f"{soak['rss_start_mb']:.1f} MB after), and the soak's orders fill that memory "
        f"first, so the soak's figure reads low until it has created well over {dropped} "
        f"orders; {reading}",
    ]


def _per_thousand(growth_mb: float, orders: int) -> str:
    return "n/a" if orders <= 0 else f"{growth_mb * 1000 / orders:.2f}"


def _verdict(soak: dict[str, Any]) -> str:
    """Whether the mock kept the pace, said plainly."""
    achieved, target = soak["achieved_rate"], soak["target_rate"]
    if not soak["fell_behind"]:
        return (
            f"The mock kept the pace: {achieved:.0f} of {target:.0f} req/s "
            f"({soak['achieved_share']:.0%}), so the latencies above are those of a mock "
            "below its capacity."
        )
    return (
        f"**The mock fell behind the pace**: it answered {achieved:.0f} of the paced "
        f"{target:.0f} req/s ({soak['achieved_share']:.0%}, below the "
        f"{SOAK_SHORTFALL:.0%} this report accepts), so the soak ran as an overload and its "
        "latencies are those of a saturated mock, not of one below its capacity."
    )
