"""The report's start-up section: every first-200 time, the breakdown and its levers."""

from __future__ import annotations

from typing import Any


def startup_section(report: dict[str, Any]) -> list[str]:
    """Start-up times, Prism's beside them, and the breakdown when it was measured."""
    prism = ", ".join(
        f"{run['name'].removeprefix('prism-static-')} {run['first_200_s']:.2f} s"
        for run in report.get("prism_static", [])
    )
    lines = [
        "## Start-up",
        "",
        "Seconds from starting `billing-mock serve` to the first 200 of the Unpod "
        f"operation (polled every 10 ms), every start in this run: {report['startup_s']}."
        + (f" Prism static, per contract: {prism}." if prism else ""),
    ]
    breakdown = report.get("startup_breakdown")
    if not breakdown:
        return lines
    lines += [
        "",
        "Where it goes: what `billing-mock serve` does before uvicorn listens, replayed "
        "step by step in a fresh process (`bench/run.py startup-steps`; its first step "
        "includes the bench script's own imports, which the CLI does not have):",
        "",
        "| step | s since process start | step s | RSS MB | modules |",
        "|---|---:|---:|---:|---:|",
    ]
    previous = 0.0
    for step in breakdown["steps"]:
        lines.append(
            f"| {step['step']} | {step['seconds']:.2f} | {step['seconds'] - previous:.2f} "
            f"| {step['rss_mb']:.0f} | {step['modules']} |"
        )
        previous = step["seconds"]
    lines += [
        "",
        "Third-party imports of `billing_mock.cli` by cumulative import time (ms; "
        "`python -X importtime`, nested figures overlap): "
        + ", ".join(f"{row['package']} {row['ms']:.0f}" for row in breakdown["imports"])
        + ".",
        "",
        *_startup_levers(breakdown),
    ]
    return lines


ON_DEMAND = {
    "fpdf": "an invoice PDF",
    "openapi_spec_validator": "`spec bundle`",
    "schemathesis": "`contract-test`",
}
"""Packages that serving does not need, and what does need them."""
SLOW_IMPORT_MS = 20.0
"""An import at least this slow is worth naming."""


def _startup_levers(breakdown: dict[str, Any]) -> list[str]:
    steps = breakdown["steps"]
    delta = {
        step["key"]: step["seconds"] - (steps[i - 1]["seconds"] if i else 0.0)
        for i, step in enumerate(steps)
    }
    rss = {
        step["key"]: step["rss_mb"] - (steps[i - 1]["rss_mb"] if i else 0.0)
        for i, step in enumerate(steps)
    }
    imports = {row["package"]: row["ms"] for row in breakdown["imports"]}
    parse = breakdown["yaml_parse_s"]
    on_demand = [
        f"{package} ({imports[package]:.0f} ms, needed only for {use})"
        for package, use in ON_DEMAND.items()
        if imports.get(package, 0) >= SLOW_IMPORT_MS
    ]
    lazy = (
        f" Imported up front but not needed to serve: {', '.join(on_demand)}; they could be "
        "imported where they are used."
        if on_demand
        else f" None of {', '.join(ON_DEMAND)} (not needed to serve) is among the slowest imports."
    )
    return [
        "**Where start-up goes** (report only): "
        f"`create_app` takes {delta['create_app']:.2f} s, of which connexion's check of the "
        f"contracts against the OpenAPI meta-schema is {breakdown['meta_schema_s']:.2f} s "
        "(connexion has no switch for it; the test suite validates the same contracts); "
        "for scale, parsing the "
        f"{breakdown['contracts']} contracts once takes {parse['python']:.2f} s with "
        f"PyYAML's pure-Python `SafeLoader` and {parse['libyaml']:.2f} s with libyaml's "
        "`CSafeLoader`, so every parse left on the pure-Python loader costs the "
        f"difference. Imports take {delta['import_app'] + delta['import_cli']:.2f} s and "
        f"{rss['import_app'] + rss['import_cli']:.0f} MB of the RSS, `import "
        f"billing_mock.cli` {delta['import_cli']:.2f} s and {rss['import_cli']:.0f} MB of "
        f"them on top of `billing_mock.app`.{lazy} `build_store` takes "
        f"{delta['build_store']:.2f} s.",
        "",
        "**What would shorten it.** What is left is mostly not the mock's code: connexion's "
        "own imports (it imports httpx, whose package import loads its command-line tool "
        "and rich when they are installed, as Schemathesis makes them; werkzeug; jinja2; "
        "Starlette's TestClient) and its meta-schema check of each contract in `add_api`. "
        "Both would need connexion to change (lazy imports; a switch to trust a contract "
        "validated in CI). Serving a subset of the APIs would not help much: the imports "
        "are shared.",
    ]
