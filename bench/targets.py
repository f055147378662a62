"""The targets (issues 7 and 20), each a ratio in one run against Prism static with `-v
error` (the peer at its best), and the full pipeline's ratios per API.

The cached rows are the requests as a client sends them (repeated identical GETs, which
the response cache answers); the full pipeline rows (`Cache-Control: no-cache`) run
routing, auth, validation and the handler every time. Both are measured on `serve` as
`make run` starts it (memory, one worker) and on SQLite with a worker per core.
"""

from __future__ import annotations

import statistics
from typing import Any

from operations import FULL_PIPELINE, RESPONSE_CACHE

TARGET_CACHED_RATIO = 3.0
"""Throughput of the mock's cached path over Prism static, at least."""
TARGET_FULL_RATIO = 1.0
"""Throughput of the full pipeline over Prism static, at least, on every API's main read."""
TARGET_MIX_RATIO = 1.0
"""Throughput of the cache-defeating mix over the four-Prism fleet's, at least."""
SERVERS = (("mock", "memory, 1 worker"), ("mock_workers", "SQLite, a worker per core"))
"""The mock's configurations the targets are evaluated on: report key and label."""
TARGET_P99_MS = 25.0
"""p99 latency at the run's connections (32 by default), below."""
TARGET_RSS_MB = 100.0
"""Peak RSS of the mock with every API loaded, below."""
TARGET_FIRST_200_S = 1.0
"""Process start to the first 200 of the Unpod operation, below."""
CACHE_NOISE = 0.10
"""Two mock rows this close (relative req/s, or closer) are not told apart: wrk and the
server share the machine's cores, so runs of the same server differ by a few percent."""


def mock_row(
    report: dict[str, Any], api: str, variant: str, server: str = "mock"
) -> dict[str, Any] | None:
    """The measurement of `api` asked as `variant` (a Variant's key) on the mock run
    `server` (`mock`, `mock_workers`), if made.
    """
    runs = (report.get(server) or {}).get("measurements", [])
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
        dynamic = prism_row(report, "prism_dynamic", api)
        workers = mock_row(report, api, FULL_PIPELINE.key, "mock_workers")
        workers_rps = workers["wrk"]["rps"] if workers else None
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
                "workers_full_pipeline_rps": workers_rps,
                "workers_full_pipeline_ratio": ratio(workers_rps or 0.0, prism_rps),
                "prism_dynamic_rps": dynamic["wrk"]["rps"] if dynamic else None,
                "full_pipeline_over_prism_dynamic": ratio(
                    full["wrk"]["rps"], dynamic["wrk"]["rps"] if dynamic else 0.0
                ),
            }
        )
    return rows


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target against the figures measured, met or not."""
    targets: list[dict[str, Any]] = [*_per_api(report), *_mix(report)]
    for server, label in SERVERS:
        run = report.get(server)
        if run:
            worker = run.get("peak_process_rss_mb") or run["peak_rss_mb"]
            targets.append(
                {
                    "target": f"peak RSS per worker < {TARGET_RSS_MB:g} MB, every API loaded "
                    f"({label})",
                    "measured": f"{worker:.1f} MB (all processes {run['peak_rss_mb']:.1f} MB, "
                    f"at start-up {run['rss_at_ready_mb']:.1f} MB)",
                    "met": worker < TARGET_RSS_MB,
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


def _ratio_target(name: str, rps: float, base: float, goal: float) -> dict[str, Any]:
    quotient = rps / base if base else float("inf")
    return {
        "target": name,
        "measured": f"{rps:.0f} vs {base:.0f} req/s = {quotient:.2f}x",
        "met": quotient >= goal,
    }


def _per_api(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per API: the cached path's ratio and p99, the full pipeline's ratio on each server."""
    targets = []
    connections = report["load"]["connections"]
    for operation in report["operations"]:
        api = operation["api"]
        prism = prism_row(report, "prism_static", api)
        base = prism["wrk"]["rps"] if prism else 0.0
        cached = mock_row(report, api, RESPONSE_CACHE.key)
        if cached and prism:
            name = f"{api}: cached path >= {TARGET_CACHED_RATIO:g}x Prism static"
            targets.append(_ratio_target(name, cached["wrk"]["rps"], base, TARGET_CACHED_RATIO))
        if cached:
            p99 = cached["wrk"]["p99_ms"]
            targets.append(
                {
                    "target": f"{api}: cached path p99 < {TARGET_P99_MS:g} ms at "
                    f"{connections} connections",
                    "measured": f"{p99:.1f} ms",
                    "met": p99 < TARGET_P99_MS,
                }
            )
        for server, label in SERVERS:
            full = mock_row(report, api, FULL_PIPELINE.key, server)
            if full and prism:
                name = f"{api}: full pipeline >= {TARGET_FULL_RATIO:g}x Prism static ({label})"
                targets.append(_ratio_target(name, full["wrk"]["rps"], base, TARGET_FULL_RATIO))
    return targets


def _mix(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The cache-defeating mix on each server against the Prism fleet."""
    mix = report.get("mix")
    if not mix:
        return []
    fleet = mix["prism_fleet"]["rps"]
    targets = []
    for server, label in SERVERS:
        run = mix.get(server)
        if run:
            target = _ratio_target(
                f"cache-defeating mix >= {TARGET_MIX_RATIO:g}x the four-Prism fleet ({label})",
                run["rps"],
                fleet,
                TARGET_MIX_RATIO,
            )
            if run["non_2xx"]:
                target["met"] = False
                target["measured"] += f", {run['non_2xx']} non-2xx"
            targets.append(target)
    return targets
