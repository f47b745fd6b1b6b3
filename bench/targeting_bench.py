"""Targeting benchmark: criteria evaluation and the village-level priority ranking over 1 M households and
about 4 M members, each timed through the API (in-process HTTP) against hand-written SQL in the same run.

`python -m bench.targeting_bench` (DATABASE_URL, or an embedded PostgreSQL in .data/bench-pg); fills the
database once with synthetic data (bench/registry.py: set-based INSERT ... SELECT generate_series, seeded) and
replaces the
"## Targeting" section of bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.registry import AS_OF, database_name
from bench.registry import fill as fill_registry

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
HOUSEHOLDS = int(os.environ.get("TARGETING_BENCH_HOUSEHOLDS", "1000000"))
DATABASE = database_name(HOUSEHOLDS)
RUNS = 5

# Three representative rules: a member sub-tree (EXISTS), a household-only OR of conditions, and two member
# sub-trees with a negation over nullable codes and the active-member count.
CRITERIA: dict[str, dict[str, Any]] = {
    "A: desil 1-4 with a child 7-18 out of school": {"all": [
        {"field": "welfare_decile", "op": "lte", "value": 4},
        {"member": {"all": [{"field": "age", "op": "between", "value": [7, 18]},
                            {"field": "school_participation", "op": "in", "value": ["dropped_out", "never"]}]}},
    ]},
    "B: extreme poor, or earth floor and no toilet, or firewood": {"any": [
        {"field": "extreme_poor", "op": "eq", "value": True},
        {"all": [{"field": "housing.floor", "op": "eq", "value": "earth"},
                 {"field": "housing.toilet", "op": "eq", "value": "none"}]},
        {"field": "housing.cooking_fuel", "op": "eq", "value": "firewood"},
    ]},
    "C: elderly or disabled member, head at most SD, water not piped/bottled, >= 3 members": {"all": [
        {"member": {"any": [{"field": "age", "op": "gte", "value": 60},
                            {"field": "disability", "op": "eq", "value": True}]}},
        {"member": {"all": [{"field": "relationship", "op": "eq", "value": "head"},
                            {"field": "education", "op": "lte", "value": "primary"}]}},
        {"not": {"field": "housing.drinking_water", "op": "in", "value": ["piped_metered", "bottled"]}},
        {"field": "member_count", "op": "gte", "value": 3},
    ]},
}

# The same rules written by hand over the province (birth-date bounds for the ages at 2025-06-30), in the two
# shapes one would write: members by a correlated count, or by joining the matches once. The faster of the two
# is the baseline.
WHERE = {
    "A": """h.welfare_decile <= 4 AND EXISTS (SELECT 1 FROM targeting.member m WHERE m.household_id = h.id
            AND m.status = 'active' AND m.birth_date <= DATE '2018-06-30' AND m.birth_date > DATE '2006-06-30'
            AND m.school_participation IN ('dropped_out', 'never'))""",
    "B": """(h.extreme_poor OR (h.floor = 'earth' AND h.toilet = 'none') OR h.cooking_fuel = 'firewood')""",
    "C": """EXISTS (SELECT 1 FROM targeting.member m WHERE m.household_id = h.id AND m.status = 'active'
                    AND (m.birth_date <= DATE '1965-06-30' OR m.disability))
            AND EXISTS (SELECT 1 FROM targeting.member m WHERE m.household_id = h.id AND m.status = 'active'
                        AND m.relationship = 'head' AND m.education IN ('none', 'primary'))
            AND NOT (h.drinking_water IN ('piped_metered', 'bottled'))
            AND (SELECT count(*) FROM targeting.member m WHERE m.household_id = h.id AND m.status = 'active') >= 3""",
}
HAND_CORRELATED = """
SELECT left(h.region_code, 5) AS regency, count(*) AS households,
       sum((SELECT count(*) FROM targeting.member m WHERE m.household_id = h.id AND m.status = 'active')) AS members
FROM targeting.household h WHERE h.status = 'active' AND h.region_code LIKE '18.%' AND {where}
GROUP BY 1 ORDER BY 1"""
HAND_JOINED = """
WITH matched AS MATERIALIZED (SELECT h.id, left(h.region_code, 5) AS regency FROM targeting.household h
                              WHERE h.status = 'active' AND h.region_code LIKE '18.%' AND {where}),
     hh AS (SELECT regency, count(*) AS n FROM matched GROUP BY 1),
     mm AS (SELECT mt.regency, count(*) AS n FROM matched mt
            JOIN targeting.member m ON m.household_id = mt.id AND m.status = 'active' GROUP BY 1)
SELECT hh.regency, hh.n, coalesce(mm.n, 0) FROM hh LEFT JOIN mm USING (regency) ORDER BY 1"""

HAND_RANKING = """
WITH c AS (SELECT region_code, count(*) AS n, count(*) FILTER (WHERE extreme_poor) AS e
           FROM targeting.household WHERE status = 'active' GROUP BY region_code)
SELECT r.code, r.name, coalesce(c.n, 0), coalesce(c.e, 0), c.e::numeric / nullif(c.n, 0) AS rate,
       row_number() OVER (ORDER BY c.e::numeric / nullif(c.n, 0) DESC NULLS LAST, coalesce(c.e, 0) DESC, r.code)
FROM targeting.region r LEFT JOIN c ON c.region_code = r.code
WHERE r.level = 'village' AND r.code LIKE '18.%' AND (r.retired_by_decree_id IS NULL OR c.n > 0)
ORDER BY 6 LIMIT 1000"""


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def database_url() -> tuple[str, object | None]:
    from sinergi.embedded import DATA_DIR, ensure_database, start_embedded

    url = os.environ.get("DATABASE_URL")
    if url:
        return ensure_database(url, DATABASE), None
    server, server_url = start_embedded(DATA_DIR / "bench-pg")
    return ensure_database(server_url, DATABASE), server


def fill(url: str) -> tuple[float | None, int, int]:
    return fill_registry(url, HOUSEHOLDS)


def timed_sql(connection: psycopg.Connection, sql: str) -> tuple[float, list[tuple[Any, ...]]]:
    started = time.perf_counter()
    rows = connection.execute(sql).fetchall()  # type: ignore[call-overload]
    return time.perf_counter() - started, rows


async def timed_http(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    response = await client.request(method, path, **kwargs)
    took = time.perf_counter() - started
    assert response.status_code in (200, 201), response.text
    return took, response.json()


async def measure(url: str) -> dict[str, Any]:
    from gateway.clients.keys import TokenSigner, generate_keypair
    from targeting.main import create_app
    from targeting.settings import TargetingSettings

    private, public = generate_keypair()
    app = create_app(TargetingSettings(database_url=url, jwt_public_key=public, db_statement_timeout_ms=120_000))
    token = TokenSigner(private, issuer="sinergi", audience="sinergi-api", ttl_seconds=3600).sign(
        client_id="bench", region="18", scopes=["registry:read"])
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, Any] = {"evaluate": [], "ranking": None}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://targeting",
                                 timeout=300) as client:
        with psycopg.connect(url, autocommit=True) as raw:
            for (name, criteria), key in zip(CRITERIA.items(), WHERE, strict=True):
                body = {"criteria": criteria, "group_by": "regency", "as_of": AS_OF}
                hand = {"correlated": HAND_CORRELATED.format(where=WHERE[key]),
                        "joined": HAND_JOINED.format(where=WHERE[key])}
                api_times: list[float] = []
                hand_times: dict[str, list[float]] = {k: [] for k in hand}
                _, answer = await timed_http(client, "POST", "/api/v1/targeting/evaluate", json=body, headers=headers)
                for variant, sql in hand.items():
                    _, rows = timed_sql(raw, sql)
                    got = [(g["region_code"], g["households"], g["members"]) for g in answer["groups"]]
                    assert got == [(r, int(h), int(m)) for r, h, m in rows], (name, variant)
                for _ in range(RUNS):
                    api_times.append((await timed_http(client, "POST", "/api/v1/targeting/evaluate", json=body,
                                                       headers=headers))[0])
                    for variant, sql in hand.items():
                        hand_times[variant].append(timed_sql(raw, sql)[0])
                best = min(hand_times, key=lambda v: statistics.median(hand_times[v]))
                results["evaluate"].append({
                    "name": name, "households": answer["households"], "members": answer["members"],
                    "api": statistics.median(api_times), "hand": statistics.median(hand_times[best]),
                    "hand_variant": best, "other": {v: statistics.median(t) for v, t in hand_times.items()}})
                print(results["evaluate"][-1], flush=True)

            params = {"level": "village", "limit": 1000, "year": 2022}
            _, page = await timed_http(client, "GET", "/api/v1/priority-areas", params=params, headers=headers)
            _, rows = timed_sql(raw, HAND_RANKING)
            assert [(i["region_code"], i["households"], i["extreme_poor_households"]) for i in page["items"]] == [
                (r[0], r[2], r[3]) for r in rows]
            api_times, hand_times_list = [], []
            for _ in range(RUNS):
                api_times.append((await timed_http(client, "GET", "/api/v1/priority-areas", params=params,
                                                   headers=headers))[0])
                hand_times_list.append(timed_sql(raw, HAND_RANKING)[0])
            villages = raw.execute("SELECT count(*) FROM targeting.region WHERE level = 'village' "
                                   "AND code LIKE '18.%'").fetchone()[0]  # type: ignore[index]
            results["ranking"] = {"api": statistics.median(api_times), "hand": statistics.median(hand_times_list),
                                  "villages": villages}
            print(results["ranking"], flush=True)

        list_body = {"name": "bench", "criteria": next(iter(CRITERIA.values())), "region": "18", "as_of": AS_OF}
        took, created = await timed_http(client, "POST", "/api/v1/target-lists", json=list_body, headers=headers)
        results["target_list"] = {"took": took, "households": created["households"]}
    await app.state.engine.dispose()
    return results


def section(results: dict[str, Any], *, filled: float | None, households: int, members: int, before: str,
            after: str, server_version: str) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.0f} ms"

    lines = [
        "## Targeting",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.targeting_bench` on {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work, PostgreSQL {server_version} (embedded, default settings).",
        f"Load (`uptime`) before: `{before}`; after: `{after}`.",
        "",
        f"Data: {households:,} households and {members:,} members, synthetic and seeded, made by one set-based "
        "INSERT ... SELECT generate_series per table (see FILL_SQL in bench/registry.py): households spread over "
        "Lampung's 2,651 villages by the 2025 population of each kab/kota; extreme-poor share and desil 1-4 share "
        "follow each kab/kota's 2022 extreme-poverty and poverty rates (DOMAIN.md section 7); housing codes "
        "drawn with worse housing in poorer kab/kota; 1-7 members (mean 4) with ages, sex, education, school "
        "participation, occupation and flags by age; 3 % of households and 2 % of members inactive; NIKs are "
        "unique serials, not structurally valid (no criteria read them)."
        + (f" Filling took {filled:,.0f} s." if filled else " (Filled by an earlier run.)"),
        "",
        f"Each figure is the median of {RUNS} warm runs, API and SQL interleaved. API = `POST "
        "/api/v1/targeting/evaluate` with `group_by=regency` (and `GET /api/v1/priority-areas`) through the "
        "targeting app in-process over httpx's ASGI transport: token check, body validation, criteria parsing "
        "and compilation, the SQL, JSON out. Hand-written SQL = the same question written by hand and run over "
        "psycopg (the faster of two shapes: members by correlated count, or by joining the matches once); "
        "the API's per-regency answer is checked equal to it first.",
        "",
        "| case | matching households / members | API | hand-written SQL | ratio | goal |",
        "|---|---|---|---|---|---|",
    ]
    for item in results["evaluate"]:
        lines.append(f"| evaluate {item['name']} | {item['households']:,} / {item['members']:,} | {ms(item['api'])} "
                     f"| {ms(item['hand'])} ({item['hand_variant']}) | {item['api'] / item['hand']:.2f}x | <= 1.5x |")
    ranking = results["ranking"]
    lines.append(f"| priority areas, village level ({ranking['villages']:,} villages, first 1,000 ranks) | "
                 f"all | {ms(ranking['api'])} | {ms(ranking['hand'])} | {ranking['api'] / ranking['hand']:.2f}x "
                 "| <= 2x |")
    lines += [
        "",
        "Other hand-written shapes: " + "; ".join(
            f"{i['name'].split(':')[0]}: " + ", ".join(f"{v} {ms(t)}" for v, t in i["other"].items())
            for i in results["evaluate"]) + ".",
        f"Freezing a target list of rule A ({results['target_list']['households']:,} households, one INSERT ... "
        f"SELECT with each household's active-member count): {ms(results['target_list']['took'])} (one run).",
        "",
        "Reading: absolute times move with the load other work puts on the two shared cores (see `uptime`); the "
        "ratios, measured interleaved, are the stable part. Every count goes through the partial index "
        "`member(household_id) WHERE status = 'active'` as an index-only scan; before it existed, the first run "
        "of this benchmark had rule B at 5.9 s through the API against 3.2 s by hand (1.83x), because the "
        "planner hash-joined the whole member table. Rule C is dear for both sides: two member sub-trees and "
        "the active-member count leave few households out early. At national scale (95 M families) the same "
        "statements would need the household and member tables partitioned by region code, so that a "
        "kab/kota question reads its own partitions only.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    existing = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    start = existing.find("## Targeting")
    if start == -1:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        following = existing.find("\n## ", start + 1)
        updated = existing[:start] + text + (existing[following + 1:] if following != -1 else "")
    RESULTS.write_text(updated.rstrip("\n") + "\n")


def main() -> None:
    from kit.migrations import upgrade

    before = uptime()
    url, _server = database_url()
    upgrade(["targeting"], url)
    filled, households, members = fill(url)
    print(f"data: {households:,} households, {members:,} members (fill {filled})", flush=True)
    with psycopg.connect(url) as connection:
        version = str(connection.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    results = asyncio.run(measure(url))
    write_section(section(results, filled=filled, households=households, members=members, before=before,
                          after=uptime(), server_version=version))
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
