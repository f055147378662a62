"""The issue's targets, evaluated on the mock's default rows, and the full pipeline's ratios.

The default rows are the requests as a client sends them; the full pipeline's figures
sit beside them so that the response cache's part shows.
"""

from __future__ import annotations

import statistics
from typing import Any

from operations import FULL_PIPELINE, RESPONSE_CACHE

TARGET_RATIO = 2.0
"""Throughput of the mock over Prism static, at least."""
TARGET_P99_MS = 25.0
"""p99 latency at the run's connections (32 by default), below."""
TARGET_RSS_MB = 100.0
"""Peak RSS of the mock with every API loaded, below."""
TARGET_FIRST_200_S = 1.0
"""Process start to the first 200 of the Unpod operation, below."""
CACHE_NOISE = 0.10
"""Two mock rows this close (relative req/s, or closer) are not told apart: wrk and the
server share the machine's cores, so runs of the same server differ by a few percent."""


def mock_row(report: dict[str, Any], api: str, variant: str) -> dict[str, Any] | None:
    """The mock's measurement of `api` asked as `variant` (a Variant's key), if made."""
    runs = report.get("mock", {}).get("measurements", [])
    return next((m for m in runs if m["api"] == api and m["variant"] == variant), None)


def prism_row(report: dict[str, Any], runs: str, api: str) -> dict[str, Any] | None:
    """Prism's measurement of `api` in `runs` (`prism_static`, `prism_dynamic`), if made."""
    found = (run["measurements"][0] for run in report.get(runs, []))
    return next((m for m in found if m["api"] == api), None)


def ratio(numerator: float, denominator: float) -> float | None:
    """The quotient, to two places; None where there is nothing to divide by."""
    return round(numerator / denominator, 2) if denominator else None


def within_noise(speedup: float | None) -> bool:
    """Whether the response-cache row's req/s over the full pipeline's is noise."""
    return speedup is not None and round(abs(speedup - 1), 2) <= CACHE_NOISE


def times(value: float | None) -> str:
    """A ratio as `2.10x`, or n/a."""
    return "n/a" if value is None else f"{value:.2f}x"


def full_pipeline(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per API, both mock rows against Prism static: what the cache buys, what the
    uncached path does.
    """
    rows = []
    for cached in report.get("mock", {}).get("measurements", []):
        if cached["variant"] != RESPONSE_CACHE.key:
            continue
        api = cached["api"]
        full = mock_row(report, api, FULL_PIPELINE.key)
        if full is None:
            continue
        prism = prism_row(report, "prism_static", api)
        prism_rps = prism["wrk"]["rps"] if prism else 0.0
        rows.append(
            {
                "api": api,
                "prism_static_rps": prism_rps if prism else None,
                "response_cache_rps": cached["wrk"]["rps"],
                "response_cache_ratio": ratio(cached["wrk"]["rps"], prism_rps),
                "response_cache_p99_ms": cached["wrk"]["p99_ms"],
                "full_pipeline_rps": full["wrk"]["rps"],
                "full_pipeline_ratio": ratio(full["wrk"]["rps"], prism_rps),
                "full_pipeline_p99_ms": full["wrk"]["p99_ms"],
                "full_pipeline_cpu_ms_per_request": full["cpu_ms_per_request"],
                "cache_speedup": ratio(cached["wrk"]["rps"], full["wrk"]["rps"]),
            }
        )
    return rows


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets against the figures measured (the response-cache rows)."""
    targets: list[dict[str, Any]] = []
    mock = report.get("mock")
    if mock:
        targets += _throughput_and_latency(report)
        targets.append(
            {
                "target": f"peak RSS < {TARGET_RSS_MB:g} MB, every API loaded",
                "measured": f"{mock['peak_rss_mb']:.1f} MB "
                f"(at start-up {mock['rss_at_ready_mb']:.1f} MB)",
                "met": mock["peak_rss_mb"] < TARGET_RSS_MB,
            }
        )
    startups = report.get("startup_s", [])
    if startups:
        worst = max(startups)
        targets.append(
            {
                "target": f"first 200 within {TARGET_FIRST_200_S:g} s of process start",
                "measured": f"median {statistics.median(startups):.2f} s, worst {worst:.2f} s "
                f"({len(startups)} starts)",
                "met": worst < TARGET_FIRST_200_S,
            }
        )
    soak_result = report.get("soak")
    if soak_result:
        targets.append(
            {
                "target": "soak: 0 errors, state intact",
                "measured": f"{soak_result['non_2xx']} non-2xx, "
                f"{soak_result['wrk']['transport_errors']} transport errors; "
                f"{soak_result['orders_after']} orders for {soak_result['checkouts_created']} "
                f"checkouts, payments {soak_result['payments_before']} -> "
                f"{soak_result['payments_after']}",
                "met": all(soak_result["checks"].values()),
            }
        )
    return targets


def _throughput_and_latency(report: dict[str, Any]) -> list[dict[str, Any]]:
    targets = []
    connections = report["load"]["connections"]
    for measurement in report["mock"]["measurements"]:
        if measurement["variant"] != RESPONSE_CACHE.key:
            continue
        api = measurement["api"]
        rps = measurement["wrk"]["rps"]
        prism = prism_row(report, "prism_static", api)
        if prism:
            prism_rps = prism["wrk"]["rps"]
            times = rps / prism_rps if prism_rps else float("inf")
            targets.append(
                {
                    "target": f"{api}: throughput >= {TARGET_RATIO:g}x Prism static",
                    "measured": f"{rps:.0f} vs {prism_rps:.0f} req/s = {times:.2f}x",
                    "met": times >= TARGET_RATIO,
                }
            )
        p99 = measurement["wrk"]["p99_ms"]
        targets.append(
            {
                "target": f"{api}: p99 < {TARGET_P99_MS:g} ms at {connections} connections",
                "measured": f"{p99:.1f} ms",
                "met": p99 < TARGET_P99_MS,
            }
        )
    return targets
