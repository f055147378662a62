"""`make bench`'s rows per state backend and worker count (issue 16): each API's main read
through the full pipeline and from the response cache, and a short soak of reads and
checkouts that checks no write was lost or doubled across workers.

memory: with one worker, sqlite: and redis: (a real redis-server on loopback, started
here) with one and two; memory: with two is refused by `serve`, so not measured.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import redis
from load import LoadSettings, bench_server
from operations import FULL_PIPELINE, RESPONSE_CACHE, Credentials, Operation
from paths import ROOT
from progress import say
from servers import HOST, free_port, mock_command
from soak import soak

CONFIGURATIONS = (("memory", 1), ("sqlite", 1), ("sqlite", 2), ("redis", 1), ("redis", 2))
"""(backend, workers) pairs measured, in the report's order."""


def bench_backends(
    ops: Sequence[Operation], credentials: Credentials, load: LoadSettings, soak_seconds: float
) -> list[dict[str, Any]]:
    """One row per configuration: its reads (full pipeline and cached) and its soak."""
    sys.path.insert(0, str(ROOT))  # the tests' own real redis-server, started the same way
    from tests.state_backends import redis_server, state_url

    rows = []
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as folder:
        for index, (kind, workers) in enumerate(CONFIGURATIONS):
            place = Path(folder) / f"state-{index}"
            place.mkdir()
            url = state_url(kind, place, redis_url, index)
            if kind == "redis":
                redis.Redis.from_url(url).flushdb()
            flags = ["--state", url, "--workers", str(workers)]
            name = f"mock-{kind}-x{workers}"
            say(f"backends: {name}")
            port = free_port()
            targets = [(op, op.path, v) for op in ops for v in (FULL_PIPELINE, RESPONSE_CACHE)]
            run = bench_server(
                name, [*mock_command(port), *flags], f"http://{HOST}:{port}", targets, load
            )
            soaked = soak(ops, credentials, soak_seconds, load, flags=flags, name=f"{name}-soak")
            rows.append({"backend": kind, "workers": workers, "reads": asdict(run), "soak": soaked})
    return rows


def backends_section(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The report's table: req/s per API each way, the soak's rate, errors and checks."""
    if not rows:
        return []
    apis = [m["api"] for m in rows[0]["reads"]["measurements"] if m["variant"] == FULL_PIPELINE.key]
    lines = [
        "## State backends and workers",
        "",
        "Each API's main read through the full pipeline (`Cache-Control: no-cache`) / from "
        "the response cache, in req/s; then a soak of reads and checkouts "
        "(`orders_equal_checkouts`: no lost write; `payments_unchanged`: no doubled payment).",
        "",
        "| backend | workers | "
        + " | ".join(apis)
        + " | peak RSS MB | soak req/s | soak non-2xx | soak checks |",
        "|---|---:|" + "---:|" * len(apis) + "---:|---:|---:|---|",
    ]
    for row in rows:
        reads = {(m["api"], m["variant"]): m["wrk"]["rps"] for m in row["reads"]["measurements"]}
        cells = [
            f"{reads[(api, FULL_PIPELINE.key)]:.0f} / {reads[(api, RESPONSE_CACHE.key)]:.0f}"
            for api in apis
        ]
        checks = row["soak"]["checks"]
        failed = [name for name, ok in checks.items() if not ok]
        verdict = "FAIL: " + ", ".join(failed) if failed else "all pass"
        lines.append(
            f"| {row['backend']} | {row['workers']} | "
            + " | ".join(cells)
            + f" | {row['reads']['peak_rss_mb']:.0f} | {row['soak']['achieved_rate']:.0f} "
            f"| {row['soak']['non_2xx']} | {verdict} |"
        )
    return lines
