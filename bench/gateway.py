"""What the gateway costs: the same requests sent straight to a service and through the gateway, on a
trivial authenticated endpoint and on one indexed database read, alternated within each round."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass

import httpx

from bench import stub
from bench.load import LoadResult, run_wrk
from bench.results import load_average, machine, now, quietness
from bench.stack import Database, Stack, throwaway_database

NAME = "gateway"
SUMMARY = "requests/s and p50/p99 latency, direct to a service vs through the gateway"


@dataclass(frozen=True)
class Case:
    key: str
    what: str
    path: str
    direct: str
    gateway: str
    requirement: float
    service_process: str
    gateway_process: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run (default 30)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds; each runs every case direct and through the gateway (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded load first (default 3)")


def run(args: argparse.Namespace) -> str:
    load_before = load_average()
    with throwaway_database() as database, Stack(database.url) as stack:
        gateways = {}
        stub_url = stack.start("stub", "bench.stub:create_app_from_env")
        targeting_url = stack.start("targeting", "targeting.main:create_app_from_env")
        # One token carries the whole load, so the per-client rate limit (100 requests/s by default) would be
        # measured instead of the proxy; it is raised out of reach, and its check still runs on every request.
        for name, upstream in (("gateway-trivial", stub_url), ("gateway", targeting_url)):
            gateways[name] = stack.start(
                name, "gateway.main:create_app_from_env", GATEWAY_TARGETING_URL=upstream,
                GATEWAY_PROGRAMS_URL=upstream, GATEWAY_REPORTING_URL=upstream,
                GATEWAY_RATE_LIMIT_PER_MINUTE="100000000", GATEWAY_RATE_LIMIT_BURST="100000000",
            )
        token = stack.token(gateways["gateway"], client_id="bench-gateway")
        cases = [
            Case("trivial", "authenticated, no database (the kit's service shell, bench/stub.py)", stub.PATH,
                 stub_url, gateways["gateway-trivial"], 0.45, "stub", "gateway-trivial"),
            Case("db-read", "authenticated, one indexed read (targeting service)", "/api/v1/regions/18",
                 targeting_url, gateways["gateway"], 0.70, "targeting", "gateway"),
        ]
        for case in cases:
            _check(case, token)
            for base in (case.direct, case.gateway):
                run_wrk(base + case.path, token=token, duration=args.warmup, connections=args.connections)
        rounds: list[dict[str, tuple[LoadResult, LoadResult]]] = []
        for number in range(args.rounds):
            measured = {}
            for case in cases:
                # Alternate which goes first, so a drift in the machine's load does not favour one side.
                order = ("direct", "gateway") if number % 2 == 0 else ("gateway", "direct")
                results = {}
                for side in order:
                    results[side] = run_wrk(
                        getattr(case, side) + case.path, token=token, duration=args.duration,
                        connections=args.connections, our_pids=lambda: stack.pids() + database.server_pids(),
                        watch={"service": stack.pid(case.service_process),
                               "gateway": stack.pid(case.gateway_process)},
                    )
                    print(f"round {number + 1} {case.key:8} {side:8} {results[side].requests_per_second:8.0f} req/s",
                          flush=True)
                measured[case.key] = (results["direct"], results["gateway"])
            rounds.append(measured)
    return _report(args, cases, rounds, database, load_before)


def _check(case: Case, token: str) -> None:
    for base in (case.direct, case.gateway):
        response = httpx.get(base + case.path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if response.status_code != 200:
            raise RuntimeError(f"{base}{case.path} answered {response.status_code}: {response.text[:300]}")


def _report(
    args: argparse.Namespace, cases: list[Case], rounds: list[dict[str, tuple[LoadResult, LoadResult]]],
    database: Database, load_before: str,
) -> str:
    shares = [r.others_cpu_share for measured in rounds for pair in measured.values() for r in pair]
    lines = [
        f"## {NAME}: {SUMMARY}",
        "",
        f"Run {now()} by `python -m bench gateway --duration {args.duration} --rounds {args.rounds} "
        f"--connections {args.connections}`.",
        f"Machine: {machine()}; database: {database.where}.",
        f"Load average (1/5/15 min) before: {load_before}; after: {load_average()}. Machine was "
        f"{quietness(shares)}.",
        f"Load: wrk, {args.connections} connections, 2 threads, {args.duration} s per run, same token; each "
        "process is one uvicorn worker started as `sinergi run` starts it (uvloop, httptools); wrk, the "
        "services, the gateway and PostgreSQL share the same CPUs.",
        "",
        "| endpoint | round | direct req/s | p50 / p99 ms | gateway req/s | p50 / p99 ms | gateway / direct "
        "| failed | others' CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        for number, measured in enumerate(rounds, start=1):
            direct, through = measured[case.key]
            lines.append(
                f"| {case.key} | {number} | {direct.requests_per_second:.0f} | "
                f"{direct.p50_ms:.1f} / {direct.p99_ms:.1f} | {through.requests_per_second:.0f} | "
                f"{through.p50_ms:.1f} / {through.p99_ms:.1f} | {_ratio(direct, through):.2f} | "
                f"{direct.failed} / {through.failed} | "
                f"{direct.others_cpu_share:.0%} / {through.others_cpu_share:.0%} |"
            )
    lines += [
        "",
        "CPU time per request, from the processes' own counters (so hardly moved by other load): what the "
        "gateway adds to each request, against what the service spends on it.",
        "",
        "| endpoint | round | service, direct µs | service, via gateway µs | gateway µs | gateway / service |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for case in cases:
        for number, measured in enumerate(rounds, start=1):
            direct, through = measured[case.key]
            service_us, gateway_us = through.cpu_us_per_request("service"), through.cpu_us_per_request("gateway")
            lines.append(
                f"| {case.key} | {number} | {direct.cpu_us_per_request('service'):.0f} | {service_us:.0f} | "
                f"{gateway_us:.0f} | {gateway_us / service_us if service_us else 0:.2f} |"
            )
    lines += ["", "| endpoint | what | path | median ratio | required | verdict |", "|---|---|---|---:|---:|---|"]
    for case in cases:
        ratio = statistics.median(_ratio(*measured[case.key]) for measured in rounds)
        verdict = "meets it" if ratio >= case.requirement else "BELOW"
        lines.append(f"| {case.key} | {case.what} | `GET {case.path}` | {ratio:.2f} | {case.requirement:.2f} "
                     f"| {verdict} |")
    lines += [
        "",
        "`failed`: non-2xx answers plus socket errors and timeouts (direct / gateway). `others' CPU`: the share "
        "of all CPU time used by processes outside this benchmark during that run (direct / gateway).",
    ]
    return "\n".join(lines)


def _ratio(direct: LoadResult, through: LoadResult) -> float:
    return through.requests_per_second / direct.requests_per_second if direct.requests_per_second else 0.0
