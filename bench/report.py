"""The run's report: `report.json` with every figure, `report.md` for people.

The Markdown: targets, the full pipeline beside them, both mock rows beside Prism,
every run, start-up, soak and the profile.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from backends import backends_section
from misses_report import misses_section
from mix_report import mix_section
from operations import FULL_PIPELINE, RESPONSE_CACHE
from paths import RESULTS
from profile_report import profile_section
from progress import say
from soak_report import soak_section
from startup_report import startup_section
from targets import CACHE_NOISE, mock_row, prism_row, ratio, times, within_noise


def _targets(report: dict[str, Any]) -> list[str]:
    lines = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target in report["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | {'yes' if target['met'] else 'NO'} |"
        )
    rows = report.get("full_pipeline", [])
    if not rows:
        return lines
    lines += [
        "",
        "Every ratio is against Prism static with `-v error` (errors-only logging: Prism at "
        f"its best), on the same API, in this run. *{RESPONSE_CACHE.label}*: the requests "
        "as a client sends them, identical repeated GETs that the response cache answers. "
        f"*{FULL_PIPELINE.label}*: the same requests with `Cache-Control: no-cache`, past "
        "the cache, so routing, auth, request validation, the handler and JSON encoding run "
        "every time. The mock is measured as `make run` serves it (memory, one worker) and "
        "on SQLite with a worker per core (`serve`'s default with a shared `--state`):",
        "",
        "| API | Prism static req/s | cached req/s (x) | full pipeline req/s (x), "
        "memory, 1 worker | full pipeline req/s (x), SQLite, a worker per core "
        "| full pipeline p99 ms | Prism dynamic (-d) req/s | full pipeline / Prism dynamic |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        prism = row["prism_static_rps"]
        workers = row["workers_full_pipeline_rps"]
        dynamic = row["prism_dynamic_rps"]
        lines.append(
            f"| {row['api']} | {'n/a' if prism is None else f'{prism:.0f}'} "
            f"| {row['response_cache_rps']:.0f} ({times(row['response_cache_ratio'])}) "
            f"| {row['full_pipeline_rps']:.0f} ({times(row['full_pipeline_ratio'])}) "
            f"| {'n/a' if workers is None else f'{workers:.0f}'} "
            f"({times(row['workers_full_pipeline_ratio'])}) "
            f"| {row['full_pipeline_p99_ms']:.1f} "
            f"| {'n/a' if dynamic is None else f'{dynamic:.0f}'} "
            f"| {times(row['full_pipeline_over_prism_dynamic'])} |"
        )
    alike = [row["api"] for row in rows if within_noise(row["cache_speedup"])]
    if alike:
        lines += [
            "",
            f"For {'every API' if len(alike) == len(rows) else ', '.join(alike)} the two rows "
            f"are within {CACHE_NOISE:.0%} of each other, "
            "about run-to-run noise: no response-cache effect was measured there (the mock "
            "under test had no cache in front of these requests, or they missed it).",
        ]
    return lines


WORKERS = ", SQLite, a worker per core"
"""Marks the rows of the mock served with `--state sqlite:` and its default workers."""


def _side_by_side(report: dict[str, Any]) -> list[str]:
    lines = [
        "| API | server | req/s (x Prism static) | p50 ms | p99 ms (x Prism static) "
        "| peak RSS MB | body bytes |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for operation in report["operations"]:
        api = operation["api"]
        prism = prism_row(report, "prism_static", api)
        rows = [
            ("", mock_row(report, api, RESPONSE_CACHE.key)),
            ("", mock_row(report, api, FULL_PIPELINE.key)),
            (WORKERS, mock_row(report, api, RESPONSE_CACHE.key, "mock_workers")),
            (WORKERS, mock_row(report, api, FULL_PIPELINE.key, "mock_workers")),
            ("", prism),
            ("", prism_row(report, "prism_dynamic", api)),
        ]
        for where, row in rows:
            if row is None:
                continue
            result = row["wrk"]
            base = prism["wrk"] if prism else {"rps": 0.0, "p99_ms": 0.0}
            lines.append(
                f"| {api} | {row['label']}{where} "
                f"| {result['rps']:.0f} ({times(ratio(result['rps'], base['rps']))}) "
                f"| {result['p50_ms']:.1f} "
                f"| {result['p99_ms']:.1f} ({times(ratio(result['p99_ms'], base['p99_ms']))}) "
                f"| {row['peak_rss_mb']:.0f} | {row['probe_bytes']} |"
            )
    static = report.get("prism_static", [])
    if static:
        total = sum(run["peak_rss_mb"] for run in static)
        lines += [
            "",
            f"The mock serves every API from one process ({report['mock']['peak_rss_mb']:.0f} "
            f"MB at peak); Prism needs one process per contract: {len(static)} processes, "
            f"{total:.0f} MB together.",
        ]
    return lines


def _server_rows(runs: Sequence[dict[str, Any]]) -> list[str]:
    lines = [
        "| server | operation | extra header | probe | req/s | p50 ms | p99 ms | p99.9 ms "
        "| errors | server CPU | CPU ms/request | first 200 s | peak RSS MB |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for measurement in run["measurements"]:
            result = measurement["wrk"]
            errors = result["status_errors"] + result["transport_errors"]
            extra = ", ".join(f"`{k}: {v}`" for k, v in measurement["extra_headers"].items())
            lines.append(
                f"| {run['name']} | {measurement['api']} | {extra or '-'} "
                f"| {measurement['probe_status']} "
                f"| {result['rps']:.0f} | {result['p50_ms']:.2f} | {result['p99_ms']:.2f} "
                f"| {result['p999_ms']:.2f} | {errors} | {measurement['cpu_utilisation']:.0%} "
                f"| {measurement['cpu_ms_per_request']:.2f} | {run['first_200_s']:.2f} "
                f"| {measurement['peak_rss_mb']:.0f} |"
            )
    return lines


def _servers(report: dict[str, Any]) -> list[str]:
    return [
        "## Mock and Prism, side by side",
        "",
        "Request validation and auth on in both (Prism checks the security scheme's "
        "presence and the parameters). The mock: one `billing-mock serve --log-format "
        "off` process with every API, each operation measured twice in it, one run after "
        f"the other: *{RESPONSE_CACHE.label}* sends the requests as a client does; "
        f"*{FULL_PIPELINE.label}* adds `Cache-Control: no-cache`, which the mock's "
        "response cache does not answer, so every request runs the whole pipeline. "
        "The same again served with `--state sqlite:` and a worker per core. "
        "Prism: one `prism mock` process per contract, static mode (the first example of "
        "the first 2xx response) and dynamic mode (`-d`: bodies generated from the schema "
        "on every request, work comparable to the mock's), both with `-v error`. "
        "Prism's static bodies are the contracts' examples, so they are smaller than the "
        "mock's generated bodies (see body bytes). Ratios are against Prism static "
        "on the same API: above 1 is better for req/s, below 1 for latency. Peak RSS is "
        "the server's during that run.",
        "",
        *_side_by_side(report),
        "",
        "## Every run",
        "",
        "`mock-quiet` is a diagnostic: the same app served by `uvicorn.run` with "
        "uvicorn's access log off (see the profile section); it also skips "
        "`billing_mock.cli`'s imports, hence its lower RSS. Server CPU: the server's CPU "
        "seconds per second during the measured run (100%: one core; with workers, all "
        "of them).",
        "",
        *_server_rows(
            [
                report["mock"],
                *([report["mock_workers"]] if report.get("mock_workers") else []),
                *report.get("prism_static", []),
                *report.get("prism_dynamic", []),
                *([report["mock_quiet"]] if report.get("mock_quiet") else []),
            ]
        ),
    ]


def render_markdown(report: dict[str, Any]) -> str:
    """The report for people: targets, side-by-side figures, soak, profile, notes."""
    load = report["load"]
    tools = report["tools"]
    lines = [
        "# Benchmark: billing-mock against Stoplight Prism (issues 7 and 20)",
        "",
        f"Run {report['started']} on {report['machine']}; `make bench` "
        f"({report['elapsed_s']:.0f} s in all). wrk {load['threads']} threads, "
        f"{load['connections']} connections, {load['warmup']:g} s warm-up then "
        f"{load['duration']:g} s measured, per operation, one server at a time, all on "
        f"127.0.0.1 (wrk and the server share the machine's cores). Tools: "
        f"{tools['wrk_version'] or 'wrk missing'}; Prism {tools['prism_version'] or 'missing'} "
        f"(node {tools['node_version'] or '?'}); Python {report['python']}.",
        "",
    ]
    if tools["failures"]:
        lines += ["**Tool failures:**", "", *(f"- {failure}" for failure in tools["failures"])]
        lines.append("")
    lines += [*_targets(report), ""]
    misses = misses_section(report)
    if misses:
        lines += [*misses, ""]
    if report.get("mock"):
        lines += [*_servers(report), ""]
    if report.get("mix"):
        lines += [*mix_section(report["mix"]), ""]
    if report.get("startup_s"):
        lines += [*startup_section(report), ""]
    if report.get("soak"):
        lines += [*soak_section(report["soak"]), ""]
    if report.get("backends"):
        lines += [*backends_section(report["backends"]), ""]
    if report.get("profile"):
        lines += [*profile_section(report["profile"], report), ""]
    return "\n".join(lines)


def write_reports(report: dict[str, Any]) -> None:
    """report.json (every figure) and report.md (for people) in bench/results/."""
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "report.md").write_text(render_markdown(report), encoding="utf-8")
    say(f"wrote {RESULTS / 'report.md'} and {RESULTS / 'report.json'}")
