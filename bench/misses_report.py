"""The report's section on each target missed: the figures that show why, and what would
close it. Only targets this run measured and missed get a line.
"""

from __future__ import annotations

from typing import Any

from operations import FULL_PIPELINE
from targets import SERVERS, TARGET_FULL_RATIO, TARGET_MIX_RATIO, mock_row, prism_row


def misses_section(report: dict[str, Any]) -> list[str]:
    """Why each missed target was missed, from this run's CPU figures, and the lever left."""
    lines = [*_full_pipeline(report), *_mix(report)]
    if not lines:
        return []
    return [
        "## Targets missed: why, and what would close them",
        "",
        "Every server here is bound by CPU (see *server CPU* under every run), so a "
        "throughput ratio is a ratio of CPU per request: the budget is the CPU the server "
        "used per second divided by the rate the target asks for.",
        "",
        *lines,
        "",
        "**What would close them.** The profile below puts most of the full pipeline's "
        "time in the framework around the handler: connexion's routing, security, request "
        "validation and parameter binding run as separate layers, each building its own "
        "request object and parsing the query again, and Starlette routes each request "
        "twice (connexion's routing, then its app). Prism answers a static example from "
        "one compiled route. Closing the rest needs either one pass per operation compiled "
        "at start-up (stripe-mock's design: route, auth, validate, generate, write), which "
        "means leaving connexion's per-request layers (the stack fixes connexion), or more "
        "cores: the full pipeline scales with workers (1 to 2 workers above), and on this "
        "2-core machine wrk takes the rest. For the mix, each checkout also writes the "
        "organisation's whole account (its orders included) and every other worker decodes "
        "it again on its next request; keeping orders as records of their own would make a "
        "write and a reload touch one order, not the account.",
    ]


def _full_pipeline(report: dict[str, Any]) -> list[str]:
    lines = []
    for operation in report["operations"]:
        api = operation["api"]
        prism = prism_row(report, "prism_static", api)
        if not prism:
            continue
        needed = TARGET_FULL_RATIO * prism["wrk"]["rps"]
        for server, label in SERVERS:
            full = mock_row(report, api, FULL_PIPELINE.key, server)
            if not full or full["wrk"]["rps"] >= needed:
                continue
            budget = full["cpu_utilisation"] * 1000 / needed
            lines.append(
                f"- {api}, full pipeline ({label}): {full['cpu_ms_per_request']:.2f} ms of CPU "
                f"per request at {full['cpu_utilisation']:.0%} CPU; {needed:.0f} req/s would "
                f"leave {budget:.2f} ms: the mock uses {full['cpu_ms_per_request'] / budget:.2f}x "
                "that."
            )
    return lines


def _mix(report: dict[str, Any]) -> list[str]:
    mix = report.get("mix")
    if not mix:
        return []
    fleet = mix["prism_fleet"]
    needed = TARGET_MIX_RATIO * fleet["rps"]
    lines = []
    for server, label in SERVERS:
        run = mix.get(server)
        if not run or run["rps"] >= needed:
            continue
        cpu_share = run["cpu_ms_per_request"] * run["rps"] / 1000
        budget = cpu_share * 1000 / needed
        lines.append(
            f"- the cache-defeating mix ({label}): {run['cpu_ms_per_request']:.2f} ms of CPU "
            f"per request at {cpu_share:.0%} CPU; the fleet's {needed:.0f} req/s would leave "
            f"{budget:.2f} ms: the mock uses {run['cpu_ms_per_request'] / budget:.2f}x that. "
            f"The four Prisms spent {fleet['cpu_ms_per_request']:.2f} ms per request."
        )
    return lines
