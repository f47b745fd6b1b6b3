"""Reading one household by id with 1 M households in the registry (issue #3): requests/s and p50/p99 latency
straight to the targeting service and through the gateway, rounds alternated, over many random ids."""

from __future__ import annotations

import argparse
import statistics
import uuid

import httpx
import psycopg

from bench.load import LoadResult, paths_script, run_wrk
from bench.registry import HOUSEHOLDS, Registry, filled_registry
from bench.results import load_average, machine, now, quietness
from bench.stack import Stack

NAME = "registry_read"
SUMMARY = "GET a household by id with 1 M households, direct to targeting vs through the gateway"
PATH = "/api/v1/households/{id}"
RATE_LIMIT_PER_MINUTE = 100_000_000
MAX_FAILED_SHARE = 0.01


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Several short rounds rather than two long ones: on a shared machine the load of other work drifts within
    # a minute, and alternating often lets the median ratio average that out.
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run (default 20)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds; each runs direct and gateway (default 4)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unrecorded load per side (default 5)")
    parser.add_argument("--ids", type=int, default=10_000,
                        help="distinct household ids the requests pick from at random (default 10,000)")
    parser.add_argument("--households", type=int, default=HOUSEHOLDS,
                        help="households in the registry (default 1,000,000; another size gets its own database)")


def sample_ids(url: str, count: int, *, seed: float = 0.2022) -> list[uuid.UUID]:
    """`count` distinct household ids drawn at random (seeded) from the whole registry."""
    with psycopg.connect(url) as connection:
        connection.execute("SELECT setseed(%s)", (seed,))
        rows = connection.execute("SELECT id FROM targeting.household ORDER BY random() LIMIT %s", (count,))
        return [row[0] for row in rows]


def run(args: argparse.Namespace) -> str:
    load_before = load_average()
    with filled_registry(args.households) as registry, Stack(registry.database.url) as stack:
        targeting_url = stack.start("targeting", "targeting.main:create_app_from_env")
        # One token carries the whole load, so the per-client rate limit (100 requests/s by default) would be
        # measured instead of the proxy; it is raised out of reach, and its check still runs on every request.
        gateway_url = stack.start("gateway", "gateway.main:create_app_from_env", GATEWAY_TARGETING_URL=targeting_url,
                                  GATEWAY_PROGRAMS_URL=targeting_url, GATEWAY_REPORTING_URL=targeting_url,
                                  GATEWAY_RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT_PER_MINUTE),
                                  GATEWAY_RATE_LIMIT_BURST=str(RATE_LIMIT_PER_MINUTE))
        # A new client id per run: the database is kept between runs, and so is its client table.
        token = stack.token(gateway_url, client_id=f"bench-read-{uuid.uuid4().hex[:8]}",
                            scopes="registry:read pii:read")
        ids = sample_ids(registry.database.url, args.ids)
        script = paths_script([PATH.format(id=i) for i in ids])
        sides = {"direct": targeting_url, "gateway": gateway_url}
        for base in sides.values():
            _check(base, ids[0], token)
            run_wrk(base, token=token, duration=args.warmup, connections=args.connections, script=script)
        rounds: list[dict[str, LoadResult]] = []
        for number in range(args.rounds):
            # Alternate which goes first, so a drift in the machine's load does not favour one side.
            order = ("direct", "gateway") if number % 2 == 0 else ("gateway", "direct")
            measured = {}
            for side in order:
                measured[side] = run_wrk(
                    sides[side], token=token, duration=args.duration, connections=args.connections, script=script,
                    our_pids=lambda: stack.pids() + registry.database.server_pids(),
                    watch={"service": stack.pid("targeting"), "gateway": stack.pid("gateway")},
                )
                print(f"round {number + 1} {side:8} {measured[side].requests_per_second:8.0f} req/s", flush=True)
            rounds.append(measured)
    return report(args, registry, rounds, len(ids), load_before)


def _check(base: str, household_id: uuid.UUID, token: str) -> None:
    url = base + PATH.format(id=household_id)
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    if response.status_code != 200 or response.json().get("id") != str(household_id):
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:300]}")


def ratio(direct: LoadResult, through: LoadResult) -> float:
    return through.requests_per_second / direct.requests_per_second if direct.requests_per_second else 0.0


def failures(rounds: list[dict[str, LoadResult]]) -> str:
    """A sentence on failed requests, louder when they are enough to change the figures."""
    failed = sum(r.failed for measured in rounds for r in measured.values())
    total = sum(r.requests for measured in rounds for r in measured.values())
    if not failed:
        return ""
    sentence = f"{failed:,} of {total:,} requests failed (see `failed`)"
    if failed > MAX_FAILED_SHARE * total:
        return f"**{sentence}: too many for these figures to measure successful reads.**"
    return sentence + "."


def report(
    args: argparse.Namespace, registry: Registry, rounds: list[dict[str, LoadResult]], ids: int, load_before: str,
) -> str:
    shares = [r.others_cpu_share for measured in rounds for r in measured.values()]
    lines = [
        f"## {NAME}: {SUMMARY}",
        "",
        f"Run {now()} by `python -m bench {NAME} --duration {args.duration} --rounds {args.rounds} "
        f"--connections {args.connections} --ids {args.ids}`.",
        f"Machine: {machine()}; database: {registry.database.where}.",
        f"Load average (1/5/15 min) before: {load_before}; after: {load_average()}. Machine was "
        f"{quietness(shares)}.",
        f"Registry: {registry.describe()}.",
        f"Requests: `GET {PATH}` (the household with its members, pii:read, one audit row per read), each for one "
        f"of {ids:,} distinct household ids drawn at random from the whole registry (wrk picks one per request), "
        f"so the rows are not one hot page. wrk, {args.connections} connections, 2 threads, {args.duration} s per "
        "run, same token; each process is one uvicorn worker started as `sinergi run` starts it; wrk, the service, "
        "the gateway and PostgreSQL share the same CPUs. The gateway's per-client rate limit is raised out of "
        "reach (one token carries all the load); its check still runs.",
        "",
        "| round | direct req/s | p50 / p99 ms | gateway req/s | p50 / p99 ms | gateway / direct | failed "
        "| others' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, measured in enumerate(rounds, start=1):
        direct, through = measured["direct"], measured["gateway"]
        lines.append(
            f"| {number} | {direct.requests_per_second:.0f} | {direct.p50_ms:.1f} / {direct.p99_ms:.1f} | "
            f"{through.requests_per_second:.0f} | {through.p50_ms:.1f} / {through.p99_ms:.1f} | "
            f"{ratio(direct, through):.2f} | {direct.failed} / {through.failed} | "
            f"{direct.others_cpu_share:.0%} / {through.others_cpu_share:.0%} |"
        )
    median = statistics.median(ratio(m["direct"], m["gateway"]) for m in rounds)
    lines += [
        "",
        f"Median gateway / direct: **{median:.2f}**. {failures(rounds)}".rstrip(),
        "",
        "CPU time per request from the processes' own counters: less moved than requests/s when other work "
        "competes for the CPUs (not immune: it rises when they are contended), so on a busy machine "
        "`gateway / targeting`, what the gateway adds to a read against what the service spends on it, is the "
        "steadier figure.",
        "",
        "| round | targeting, direct µs | targeting, via gateway µs | gateway µs | gateway / targeting |",
        "|---|---:|---:|---:|---:|",
    ]
    for number, measured in enumerate(rounds, start=1):
        direct, through = measured["direct"], measured["gateway"]
        service_us, gateway_us = through.cpu_us_per_request("service"), through.cpu_us_per_request("gateway")
        lines.append(f"| {number} | {direct.cpu_us_per_request('service'):.0f} | {service_us:.0f} | "
                     f"{gateway_us:.0f} | {gateway_us / service_us if service_us else 0:.2f} |")
    lines += [
        "",
        "`failed`: non-2xx answers plus socket errors and timeouts (direct / gateway). `others' CPU`: the share of "
        "all CPU time used by processes outside this benchmark during that run (direct / gateway).",
    ]
    return "\n".join(lines)
