"""The report's section on the cache-defeating mix: the mock on each server, the fleet."""

from __future__ import annotations

from typing import Any

from targets import ratio, times


def mix_section(mix: dict[str, Any]) -> list[str]:
    """The mix's req/s, p99 and statuses per server, against the four-Prism fleet."""
    fleet = mix["prism_fleet"]
    lines = [
        "## The cache-defeating mix",
        "",
        f"{mix['distinct_reads']} distinct reads (each API's main read for every membership "
        "in the fixtures; Unpod at three page sizes, the others also under the "
        "`failed-payment` scenario) with a Razorpay checkout every "
        f"{mix['checkout_every']}th request, sent in turn, unpaced (`bench/results/mix.tsv`, "
        "`bench/soak.lua`): no read repeats within the window a checkout leaves the "
        "response cache, so nearly every request runs the full pipeline. The fleet is one "
        "Prism per contract (`-v error`), all four at once, each sent its API's share by "
        "its own wrk on 8 connections; its figure is their sum.",
        "",
        "| server | req/s (x fleet) | p50 ms | p99 ms | statuses | peak RSS MB (largest process) |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for key, label in (
        ("mock", "billing-mock, memory, 1 worker"),
        ("mock_workers", "billing-mock, SQLite, a worker per core"),
    ):
        run = mix.get(key)
        if not run:
            continue
        wrk = run["wrk"]
        lines.append(
            f"| {label} | {run['rps']:.0f} ({times(ratio(run['rps'], fleet['rps']))}) "
            f"| {wrk['p50_ms']:.1f} | {wrk['p99_ms']:.1f} | {run['statuses']} "
            f"| {run['peak_rss_mb']:.0f} ({run['peak_process_rss_mb']:.0f}) |"
        )
    shares = ", ".join(f"{api} {figures['rps']:.0f}" for api, figures in fleet["per_api"].items())
    lines.append(
        f"| Prism fleet (4 processes) | {fleet['rps']:.0f} (1.00x) | - | {fleet['p99_ms']:.1f} "
        f"(worst of the four) | {fleet['non_2xx']} non-2xx; req/s {shares} | - |"
    )
    return lines
