"""The cache-defeating mix (issue 20): 180 distinct reads over the four APIs with a Razorpay
checkout every 10th request, unpaced, on the mock and on a fleet of four Prisms.

No read repeats within 180 requests and every checkout empties the response cache, so
nearly every read runs the full pipeline: what a team's traffic costs when it is not the
same GET again and again. The reads are each API's main read for each of the fixtures'
20 memberships (Unpod at three page sizes; the others plain and under the
`failed-payment` scenario, a steered request). `soak.lua` sends them in turn, unpaced.

The fleet: one `prism mock` per contract (Prism serves one contract per process), each
sent its API's share of the mix (the checkouts go to the Razorpay-backed one) on 8 of the
32 connections by its own wrk, all four at once; its figure is their sum.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from load import LoadSettings, WrkResult, run_wrk
from operations import Credentials, Operation
from paths import RESULTS, SOAK_LUA
from progress import say
from servers import HOST, MB, free_port, mock_command, prism_command, serving

from billing_mock.data.fixtures import load_fixtures

CHECKOUT_EVERY = 10
"""One request in this many is a checkout (a write, which empties the response cache)."""
UNPOD_PAGE_SIZES = (5, 10, 20)
SCENARIO = "failed-payment"
PRISM_CONNECTIONS = 8
"""Each Prism's share of the run's 32 connections."""


@dataclass(frozen=True)
class MixRequest:
    """One line of the mix: which API, the method, the path under the API's base path, the
    body (None for a read) and the headers.
    """

    api: str
    method: str
    path: str
    body: str | None
    headers: dict[str, str]


def mix_requests(ops: Sequence[Operation], credentials: Credentials) -> list[MixRequest]:
    """The reads, interleaved API by API, with a checkout after every nine."""
    by_api = {operation.api: operation for operation in ops}
    reads = {api: list(_reads(api, by_api[api])) for api in by_api}
    interleaved: list[MixRequest] = []
    while any(reads.values()):
        for queue in reads.values():
            if queue:
                interleaved.append(queue.pop(0))
    checkout = MixRequest(
        "razorpay",
        "POST",
        "/checkout",
        json.dumps({"planId": "growth", "billingCycle": "monthly"}),
        {"X-API-Key": credentials.clara_api_key, "Content-Type": "application/json"},
    )
    mixed: list[MixRequest] = []
    for index, read in enumerate(interleaved, start=1):
        mixed.append(read)
        if index % (CHECKOUT_EVERY - 1) == 0:
            mixed.append(checkout)
    return mixed


def _reads(api: str, operation: Operation) -> Iterator[MixRequest]:
    fixtures = load_fixtures()
    organisations = {org.handle: org.id for org in fixtures.organisations}
    for user in fixtures.users:
        for membership in user.memberships:
            handle = membership.organisation
            org_id = organisations[handle]
            if api == "unpod":
                headers = {"Authorization": f"jwt {user.jwt}", "Org-Handle": handle}
                for size in UNPOD_PAGE_SIZES:
                    path = f"/organisation/billing/?page=1&page_size={size}"
                    yield MixRequest(api, "GET", path, None, headers)
                continue
            if api == "razorpay":
                path, headers = "/subscription/me", {"X-API-Key": membership.api_key}
            else:
                bearer = {"Authorization": f"Bearer {user.bearer}"}
                path = (
                    f"/organizations/{org_id}/stripe/billing-details"
                    if api == "stripe"
                    else f"/orgs/{org_id}/billing"
                )
                headers = bearer
            yield MixRequest(api, "GET", path, None, headers)
            yield MixRequest(api, "GET", path, None, {**headers, "X-Mock-Scenario": SCENARIO})


def write_mix(
    requests: Sequence[MixRequest], ops: Sequence[Operation], out: Path, *, prism: bool
) -> Path:
    """`requests` as soak.lua's request file; under each API's base path unless `prism`
    (Prism serves a contract's paths without it).
    """
    bases = {operation.api: operation.base_path for operation in ops}
    lines = []
    for request in requests:
        path = request.path if prism else bases[request.api] + request.path
        headers = (f"{name}: {value}" for name, value in request.headers.items())
        lines.append("\t".join([request.method, path, request.body or "-", *headers]))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _figures(result: WrkResult) -> dict[str, Any]:
    statuses = {
        key.removeprefix("status_"): value
        for key, value in result.extra.items()
        if key.startswith("status_")
    }
    return {
        "wrk": asdict(result),
        "rps": result.rps,
        "statuses": statuses,
        "non_2xx": sum(count for status, count in statuses.items() if not status.startswith("2")),
        "checkouts_sent": result.extra.get("checkouts_sent", 0),
        "checkouts_created": result.extra.get("checkouts_created", 0),
    }


def bench_mix_mock(
    ops: Sequence[Operation],
    credentials: Credentials,
    load: LoadSettings,
    name: str,
    flags: Sequence[str] = (),
) -> dict[str, Any]:
    """The mix on one `billing-mock serve` (with `flags`): a warm-up, then the measured run."""
    mix = write_mix(mix_requests(ops, credentials), ops, RESULTS / "mix.tsv", prism=False)
    port = free_port()
    unpod = ops[0]
    args = [str(mix), "0", f"{load.duration:g}", "0"]
    with serving(
        name, [*mock_command(port), *flags], f"http://{HOST}:{port}", unpod.path, unpod.headers
    ) as server:
        for phase, seconds in (("-warmup", load.warmup), ("", load.duration)):
            server.sampler.new_segment()
            cpu_before = server.sampler.cpu_seconds()
            log = RESULTS / "wrk" / f"{name}{phase}.txt"
            result = run_wrk(server.origin, {}, seconds, load, log, SOAK_LUA, args)
            cpu = server.sampler.cpu_seconds() - cpu_before
        peak, process_peak = server.sampler.segment_peak, server.sampler.process_peak
    figures = _figures(result)
    say(
        f"  {name}: {result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms, "
        f"statuses {figures['statuses']}"
    )
    return {
        "name": name,
        "flags": list(flags),
        **figures,
        "cpu_ms_per_request": round(cpu * 1000 / max(result.requests, 1), 3),
        "peak_rss_mb": round(peak / MB, 1),
        "peak_process_rss_mb": round(process_peak / MB, 1),
    }


def bench_mix_fleet(
    ops: Sequence[Operation], credentials: Credentials, load: LoadSettings
) -> dict[str, Any]:
    """The mix on four Prisms at once, each sent its API's share by its own wrk."""
    requests = mix_requests(ops, credentials)
    share = replace(load, threads=1, connections=PRISM_CONNECTIONS)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        servers = {}
        for operation in ops:
            port = free_port()
            command = prism_command(port, operation.spec, "-v", "error")
            servers[operation.api] = stack.enter_context(
                serving(
                    f"prism-fleet-{operation.api}",
                    command,
                    f"http://{HOST}:{port}",
                    operation.prism_path,
                    operation.headers,
                )
            )
        mixes = {
            api: write_mix(
                [r for r in requests if r.api == api], ops, Path(folder) / f"{api}.tsv", prism=True
            )
            for api in servers
        }
        for phase, seconds in (("warmup", load.warmup), ("measured", load.duration)):
            cpu_before = sum(server.sampler.cpu_seconds() for server in servers.values())
            results = _concurrently(servers, mixes, share, seconds, phase)
            cpu = sum(server.sampler.cpu_seconds() for server in servers.values()) - cpu_before
    per_api = {api: _figures(result) for api, result in results.items()}
    total = sum(result.rps for result in results.values())
    answered = sum(result.requests for result in results.values())
    shares = ", ".join(f"{api} {figures['rps']:.0f}" for api, figures in per_api.items())
    say(f"  prism fleet: {total:.0f} req/s ({shares})")
    return {
        "rps": round(total, 1),
        "cpu_ms_per_request": round(cpu * 1000 / max(answered, 1), 3),
        "per_api": per_api,
        "non_2xx": sum(f["non_2xx"] for f in per_api.values()),
        "p99_ms": max(result.p99_ms for result in results.values()),
    }


def _concurrently(
    servers: dict[str, Any], mixes: dict[str, Path], load: LoadSettings, seconds: float, phase: str
) -> dict[str, WrkResult]:
    """One wrk per Prism, all started together (a thread each waits on its own); each
    one's figures.
    """
    with ThreadPoolExecutor(max_workers=len(servers)) as pool:
        running = {
            api: pool.submit(
                run_wrk,
                server.origin,
                {},
                seconds,
                load,
                RESULTS / "wrk" / f"prism-fleet-{api}-{phase}.txt",
                SOAK_LUA,
                [str(mixes[api]), "0", f"{seconds:g}", "0"],
            )
            for api, server in servers.items()
        }
        return {api: future.result() for api, future in running.items()}


def bench_mix(
    ops: Sequence[Operation], credentials: Credentials, load: LoadSettings, state_dir: Path
) -> dict[str, Any]:
    """The mix on the mock in memory (one worker), on SQLite with the default workers (one
    per core), and on the Prism fleet.
    """
    say("mix: 180 distinct reads, a checkout every 10th request, unpaced")
    memory = bench_mix_mock(ops, credentials, load, "mix-mock")
    shared = bench_mix_mock(
        ops, credentials, load, "mix-mock-workers", ["--state", f"sqlite:///{state_dir / 'mix.db'}"]
    )
    fleet = bench_mix_fleet(ops, credentials, load)
    reads = sum(1 for request in mix_requests(ops, credentials) if request.method == "GET")
    return {
        "distinct_reads": reads,
        "checkout_every": CHECKOUT_EVERY,
        "mock": memory,
        "mock_workers": shared,
        "prism_fleet": fleet,
    }
