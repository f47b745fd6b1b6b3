"""Issue #8's bounded load test: a realistic mix of reads and writes through the gateway, first at the most
it sustains, then for 5 minutes at half of that, where no request may fail.

The mix is a wrk Lua script generated here: each request kind has a weight, and each request carries an
X-Request-ID naming its kind, which the gateway echoes, so answers are counted per kind and status. Writes
stay mostly conflict-free like a real client's: each wrk thread PATCHes its own households with the
version (If-Match) from its last answer, and creates households with fresh No. KK and NIKs. Half rate is
held by a per-connection think time (wrk's `delay()`) that the script itself steers toward the target
every few seconds, since the machine's other load moves the answer times and with them a fixed think
time's rate.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import psycopg

from bench.load import CpuMeter, require_wrk
from bench.results import machine, now, quietness
from bench.stack import Database, Stack, throwaway_database

NAME = "load_mix"
SUMMARY = "a realistic mix through the gateway: maximum throughput, then 5 minutes at half of it with 0 errors"

THREADS = 2
SCOPES = "registry:read registry:write pii:read programs:read programs:write"
CLIENT_ID = "bench-load-mix"


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    what: str
    expected: frozenset[int] = frozenset()  # refusals that are right answers under concurrency, not errors


MIX = (
    Kind("household", 26, "`GET /api/v1/households/{id}` (a random seeded household)"),
    Kind("list", 12, "`GET /api/v1/households` pages (first and deeper cursors, region and decile filters)"),
    Kind("search_nik", 10, "`POST /api/v1/people/search` by NIK"),
    Kind("search_name", 5, "`POST /api/v1/people/search` by name prefix and birth date"),
    Kind("feed", 10, "`GET /api/v1/feeds/registry?after=` a random position, 100 entries"),
    Kind("priority_areas", 5, "`GET /api/v1/priority-areas` (regency or district ranking)"),
    Kind("programs", 10, "`GET /api/v1/programs` (20 programmes)"),
    Kind("evaluate", 4, "`POST /api/v1/targeting/evaluate` (one of three criteria, a regency, sometimes per district)"),
    Kind("patch", 12, "`PATCH /api/v1/households/{id}` with `If-Match` (the thread's own households)",
         frozenset({412})),
    Kind("create", 6, "`POST /api/v1/households` with two members (fresh No. KK and NIKs)", frozenset({409})),
)

_EXPECTED = {kind.name: kind.expected for kind in MIX}

CRITERIA = (
    {"all": [{"field": "welfare_decile", "op": "lte", "value": 2}]},
    {"all": [{"field": "extreme_poor", "op": "eq", "value": True},
             {"member": {"all": [{"field": "age", "op": "between", "value": [7, 15]},
                                 {"field": "school_participation", "op": "eq", "value": "dropped_out"}]}}]},
    {"any": [{"field": "housing.floor", "op": "eq", "value": "earth"},
             {"field": "member_count", "op": "gte", "value": 6}]},
)
HEAD_BORN, SPOUSE_BORN = date(1980, 3, 5), date(1984, 11, 20)


@dataclass
class Fixtures:
    """What the script picks from: real ids, cursors and people of the seeded registry."""

    household_ids: list[str]
    list_paths: list[str]
    niks: list[str]
    names: list[tuple[str, str]]
    feed_last: int
    regencies: list[str]
    village: str
    patch_ids: list[list[str]] = field(default_factory=list)  # per wrk thread, never shared
    create_ids: list[list[Identity]] = field(default_factory=list)


def lua_string(value: str) -> str:
    out = ['"']
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif ord(char) < 32 or ord(char) > 126:
            out.append("".join(f"\\{byte}" for byte in char.encode()))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def lua_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return lua_string(value)
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    raise TypeError(f"no Lua form for {type(value).__name__}")


def create_template(village: str) -> str:
    """A household body with %s for the No. KK, then each member's NIK and birth date, filled by the script."""
    body = {"no_kk": "@", "region_code": village, "address": "Jl. Beban Uji No. 1", "welfare_decile": 2,
            "extreme_poor": False, "members": [
                {"nik": "@", "name": "Budi Beban", "sex": "M", "birth_date": "@", "relationship": "head"},
                {"nik": "@", "name": "Siti Beban", "sex": "F", "birth_date": "@", "relationship": "spouse"}]}
    return json.dumps(body, separators=(",", ":")).replace("%", "%%").replace('"@"', '"%s"')


Identity = tuple[str, str, str, str, str]  # No. KK, head's NIK and birth date, spouse's NIK and birth date


def fresh_identities(district: str, taken: set[str], count: int) -> list[Identity]:
    """Families that pass the registry's rules and are in no household yet: a NIK is the district's code,
    the birth date as DDMMYY (a woman's day + 40) and a serial that is never 0000; a No. KK the district,
    its issue date and a serial."""
    found: list[Identity] = []
    for n in itertools.count():
        serial, shift = n % 9999 + 1, timedelta(days=n // 9999)
        head_born, spouse_born, issued = HEAD_BORN + shift, SPOUSE_BORN + shift, date(2010, 1, 1) + shift
        head = f"{district}{head_born:%d%m%y}{serial:04d}"
        spouse = f"{district}{spouse_born.day + 40:02d}{spouse_born:%m%y}{serial:04d}"
        no_kk = f"{district}{issued:%d%m%y}{serial:04d}"
        if not {head, spouse, no_kk} & taken:
            found.append((no_kk, head, head_born.isoformat(), spouse, spouse_born.isoformat()))
            if len(found) == count:
                return found
    raise AssertionError("unreachable")


def lua_script(fixtures: Fixtures, token: str, *, target_rps: float = 0.0, delay_ms: float = 0.0, connections: int = 1,
               seed: int = 1) -> str:
    """The wrk script: weighted choice of a request kind, per-kind status counts, and a JSON summary. With
    `target_rps`, a think time starting at `delay_ms` holds the rate there; without, as fast as answered."""
    kinds = [kind.name for kind in MIX]
    cumulative = list(itertools.accumulate(kind.weight for kind in MIX))
    lines = [
        "-- Generated by bench/load_mix.py; edit the generator, not this file.",
        f"local token = {lua_string(token)}",
        f"local kinds = {lua_value(kinds)}",
        f"local cumulative = {lua_value(cumulative)}",
        f"local household_ids = {lua_value(fixtures.household_ids)}",
        f"local list_paths = {lua_value(fixtures.list_paths)}",
        f"local niks = {lua_value(fixtures.niks)}",
        f"local names = {lua_value([list(pair) for pair in fixtures.names])}",
        f"local feed_last = {fixtures.feed_last}",
        f"local regencies = {lua_value(fixtures.regencies)}",
        f"local criteria = {lua_value([json.dumps(c, separators=(',', ':')) for c in CRITERIA])}",
        f"local patch_ids = {lua_value(fixtures.patch_ids)}",
        f"local create_ids = {lua_value([[list(t) for t in ids] for ids in fixtures.create_ids])}",
        f"local create_template = {lua_string(create_template(fixtures.village))}",
        f"delay_ms = {delay_ms:.1f}",
        f"local seed = {seed}",
        # wrk spreads the connections evenly over its threads; each thread steers its share of the rate.
        f"local thread_rps = {target_rps / THREADS:.3f}",
        f"local thread_connections = {max(1, connections // THREADS)}",
        _LUA_BODY,
    ]
    if target_rps > 0:
        lines.append(_LUA_DELAY)
    return "\n".join(lines) + "\n"


_LUA_BODY = r"""
local threads = {}
local next_index = 0

function setup(thread)
  next_index = next_index + 1
  thread:set("thread_index", next_index)
  table.insert(threads, thread)
end

counts = {}
local sent = 0
local versions = {}
local patch_next = 0
local create_next = 0
local mine_patch, mine_create

function init(args)
  math.randomseed(seed * 1000 + thread_index)
  mine_patch = patch_ids[thread_index] or {}
  mine_create = create_ids[thread_index] or {}
end

local function pick(list)
  return list[math.random(#list)]
end

local function headers(kind, extra)
  sent = sent + 1
  local h = {["Authorization"] = "Bearer " .. token, ["X-Request-ID"] = kind .. "-" .. thread_index .. "-" .. sent}
  if extra then for k, v in pairs(extra) do h[k] = v end end
  return h
end

local json_type = {["Content-Type"] = "application/json"}

local builders = {
  household = function()
    return wrk.format("GET", "/api/v1/households/" .. pick(household_ids), headers("household"))
  end,
  list = function()
    return wrk.format("GET", pick(list_paths), headers("list"))
  end,
  search_nik = function()
    return wrk.format("POST", "/api/v1/people/search", headers("search_nik", json_type),
                      '{"nik":"' .. pick(niks) .. '"}')
  end,
  search_name = function()
    local person = pick(names)
    return wrk.format("POST", "/api/v1/people/search", headers("search_name", json_type),
                      '{"name":"' .. person[1] .. '","birth_date":"' .. person[2] .. '"}')
  end,
  feed = function()
    return wrk.format("GET", "/api/v1/feeds/registry?limit=100&after=" .. math.random(0, feed_last),
                      headers("feed"))
  end,
  priority_areas = function()
    local level = (math.random(2) == 1) and "regency" or "district"
    return wrk.format("GET", "/api/v1/priority-areas?level=" .. level, headers("priority_areas"))
  end,
  programs = function()
    return wrk.format("GET", "/api/v1/programs?limit=50", headers("programs"))
  end,
  evaluate = function()
    local group = (math.random(3) == 1) and ',"group_by":"district"' or ""
    return wrk.format("POST", "/api/v1/targeting/evaluate", headers("evaluate", json_type),
                      '{"criteria":' .. pick(criteria) .. ',"region":"' .. pick(regencies) .. '"' .. group .. '}')
  end,
  patch = function()
    if #mine_patch == 0 then return nil end
    patch_next = patch_next % #mine_patch + 1
    local id = mine_patch[patch_next]
    local h = headers("patch", json_type)
    h["X-Request-ID"] = "patch-" .. thread_index .. "-" .. patch_next .. "-" .. sent
    h["If-Match"] = '"' .. (versions[id] or 1) .. '"'
    return wrk.format("PATCH", "/api/v1/households/" .. id, h,
                      '{"welfare_decile":' .. math.random(1, 10) .. '}')
  end,
  create = function()
    if #mine_create == 0 then return nil end
    create_next = create_next % #mine_create + 1
    local ids = mine_create[create_next]
    return wrk.format("POST", "/api/v1/households", headers("create", json_type),
                      string.format(create_template, ids[1], ids[2], ids[3], ids[4], ids[5]))
  end,
}

function request()
  while true do
    local roll = math.random(cumulative[#cumulative])
    for i, bound in ipairs(cumulative) do
      if roll <= bound then
        local built = builders[kinds[i]]()
        if built then return built end
        break
      end
    end
  end
end

local function header(h, name)
  return h[name] or h[string.lower(name)]
end

function response(status, h, body)
  local id = header(h, "X-Request-ID") or "unknown-"
  local kind = string.match(id, "^([%a_]+)-") or "unknown"
  local key = kind .. " " .. status
  counts[key] = (counts[key] or 0) + 1
  if kind == "patch" and status == 200 then
    local index = tonumber(string.match(id, "^patch%-%d+%-(%d+)%-"))
    local version = tonumber(string.match(header(h, "ETag") or "", "(%d+)"))
    local household = index and mine_patch[index]
    if household and version and version > (versions[household] or 1) then versions[household] = version end
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for key, n in pairs(c) do total[key] = (total[key] or 0) + n end
  end
  local parts = {}
  for key, n in pairs(total) do table.insert(parts, string.format('"%s": %d', key, n)) end
  local think = 0
  for _, thread in ipairs(threads) do think = think + thread:get("delay_ms") / #threads end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d,'
    .. ' "non_2xx_3xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "delay_ms": %.1f,'
    .. ' "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.status, e.connect, e.read, e.write, e.timeout, think, table.concat(parts, ", ")))
end
"""

_LUA_DELAY = r"""
local window_start = os.time()
local window_sent = 0

function delay()
  -- Every 5 s (os.time() counts seconds), set the think time from what the last window showed: a
  -- connection's cycle is think time plus answer time, so keep the answer time and solve for the think
  -- time that gives the target, taking half a step to ride out noise.
  local now = os.time()
  if now - window_start >= 5 then
    local rate = window_sent / (now - window_start)
    if rate > 0 then
      local answer_ms = math.max(0, thread_connections * 1000 / rate - delay_ms)
      local wanted = math.max(0, thread_connections * 1000 / thread_rps - answer_ms)
      delay_ms = (delay_ms + wanted) / 2
    end
    window_start, window_sent = now, 0
  end
  window_sent = window_sent + 1
  -- Uniform around the mean, so connections do not march in step.
  return math.random() * delay_ms * 2
end
"""


@dataclass(frozen=True)
class MixResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: dict[str, int]
    statuses: dict[str, dict[int, int]]  # kind -> status -> count
    others_cpu_share: float = 0.0
    delay_ms: float = 0.0  # the mean think time the script ended with

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def expected_refusals(self) -> int:
        return sum(n for kind, by_status in self.statuses.items() for status, n in by_status.items()
                   if status in _EXPECTED.get(kind, frozenset()))

    def refusal_detail(self) -> str:
        return ", ".join(f"{kind} {status}: {n}" for kind, by_status in sorted(self.statuses.items())
                         for status, n in sorted(by_status.items()) if status in _EXPECTED.get(kind, frozenset()))

    def _failed(self) -> list[tuple[str, int, int]]:
        return [(kind, status, n) for kind, by_status in sorted(self.statuses.items())
                for status, n in sorted(by_status.items())
                if not 200 <= status < 300 and status not in _EXPECTED.get(kind, frozenset())]

    def errors(self) -> int:
        """Socket errors and timeouts, plus every answer that is neither 2xx nor an expected refusal."""
        return sum(n for _, _, n in self._failed()) + sum(self.socket_errors.values())

    def error_detail(self) -> str:
        parts = [f"{kind} {status}: {n}" for kind, status, n in self._failed()]
        parts += [f"socket {name}: {n}" for name, n in self.socket_errors.items() if n]
        return ", ".join(parts) or "none"


def parse_report(stdout: str, others_cpu_share: float = 0.0) -> MixResult:
    line = next(x for x in stdout.splitlines() if x.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    statuses: dict[str, dict[int, int]] = {}
    for key, n in raw["statuses"].items():
        kind, status = key.rsplit(" ", 1)
        statuses.setdefault(kind, {})[int(status)] = n
    return MixResult(
        requests=raw["requests"], seconds=raw["duration_us"] / 1e6, p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000, p99_ms=raw["p99_us"] / 1000, max_ms=raw["max_us"] / 1000,
        socket_errors={name: raw[name] for name in ("connect", "read", "write", "timeout")},
        statuses=statuses, others_cpu_share=others_cpu_share, delay_ms=raw.get("delay_ms", 0.0))


def next_delay(delay_ms: float, connections: int, measured_rps: float, target_rps: float) -> float:
    """The think time that brings the rate to `target_rps`: a connection's cycle is its think time plus the
    time its request takes, so keep what the last run showed the request part to be and set the rest."""
    cycle_ms = connections * 1000 / measured_rps if measured_rps else 0.0
    service_ms = max(0.0, cycle_ms - delay_ms)
    return max(0.0, connections * 1000 / target_rps - service_ms)


def run_mix(url: str, script: str, *, duration: int, connections: int,
            our_pids: Callable[[], list[int]] = list) -> MixResult:
    wrk = require_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [wrk, f"-t{THREADS}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", handle.name, url]
    try:
        with CpuMeter(our_pids) as meter:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120, check=True)
    finally:
        os.unlink(handle.name)
    return parse_report(completed.stdout, meter.others_share)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--households", type=int, default=20_000,
                        help="synthetic households seeded with `sinergi generate` + import (default 20000)")
    parser.add_argument("--max-duration", type=int, default=60, help="seconds of the maximum run (default 60)")
    parser.add_argument("--duration", type=int, default=300, help="seconds at half the maximum (default 300)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--calibration", type=int, default=30,
                        help="seconds of the run that settles the think time for half rate (default 30)")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def run(args: argparse.Namespace) -> str:
    uptime_before = _uptime()
    with throwaway_database() as database, Stack(database.url) as stack:
        from sinergi.importing import seed_demo

        seeded = seed_demo(database.url, args.households, stack.workdir / "seed")
        targeting = stack.start("targeting", "targeting.main:create_app_from_env")
        programs = stack.start("programs", "programs.main:create_app_from_env", PROGRAMS_TARGETING_URL=targeting)
        reporting = stack.start("reporting", "reporting.main:create_app_from_env")
        # The per-client limit (100/s by default) would answer 429 long before the stack is saturated, and
        # this measures the stack, not the limit: one client, the limit raised, its check still on the path.
        gateway = stack.start("gateway", "gateway.main:create_app_from_env", GATEWAY_TARGETING_URL=targeting,
                              GATEWAY_PROGRAMS_URL=programs, GATEWAY_REPORTING_URL=reporting,
                              GATEWAY_RATE_LIMIT_PER_MINUTE="100000000", GATEWAY_RATE_LIMIT_BURST="1000000")
        secret = stack.create_client(CLIENT_ID, scopes=SCOPES)
        token = stack.issue_token(gateway, CLIENT_ID, secret)
        _create_programmes(gateway, token)
        fixtures, patchable, identities = _fixtures(database.url, gateway, token)
        pids = lambda: stack.pids() + database.server_pids()  # noqa: E731
        rng = random.Random(2022)
        writes = _WriteSets(fixtures, patchable, identities)

        def script(run_seconds: int, expected_rps: float, *, target_rps: float = 0.0, delay_ms: float = 0.0) -> str:
            writes.assign(expected_rps * run_seconds)
            # A fresh token each run: one outlives a 5-minute run (900 s), not the whole benchmark.
            return lua_script(fixtures, stack.issue_token(gateway, CLIENT_ID, secret), target_rps=target_rps,
                              delay_ms=delay_ms, connections=args.connections, seed=rng.randrange(1 << 30))

        _check(gateway, script(5, 50))
        run_mix(gateway, script(10, 1500), duration=10, connections=args.connections)  # warm-up, not recorded
        maximum = run_mix(gateway, script(args.max_duration, 1500), duration=args.max_duration,
                          connections=args.connections, our_pids=pids)
        print(f"maximum: {maximum.requests_per_second:.0f} req/s, errors {maximum.errors()}", flush=True)
        target = maximum.requests_per_second / 2
        first_delay = next_delay(0.0, args.connections, maximum.requests_per_second, target)
        settling = run_mix(gateway, script(args.calibration, target, target_rps=target, delay_ms=first_delay),
                           duration=args.calibration, connections=args.connections, our_pids=pids)
        print(f"settling: {settling.requests_per_second:.0f} req/s (target {target:.0f}), think time "
              f"{first_delay:.0f} -> {settling.delay_ms:.0f} ms", flush=True)
        half = run_mix(gateway, script(args.duration, target, target_rps=target, delay_ms=settling.delay_ms),
                       duration=args.duration, connections=args.connections, our_pids=pids)
        print(f"half: {half.requests_per_second:.0f} req/s, errors {half.errors()}", flush=True)
        rows = _row_counts(database.url)
    runs = [("maximum", 0.0, maximum), ("settling the think time", first_delay, settling),
            ("**half of maximum**", settling.delay_ms, half)]
    return _report(args, database, seeded, rows, runs, target, uptime_before, _uptime())


class _WriteSets:
    """Households to PATCH and families to create, fresh for each wrk run and split between its threads: no
    two threads write one record, and a run starts from versions it knows (1, as imported)."""

    PATCH_RING = 300  # per thread: a household comes round again long after its last PATCH was answered

    def __init__(self, fixtures: Fixtures, patchable: list[str], identities: list[Identity]) -> None:
        self.fixtures, self.patchable, self.identities = fixtures, patchable, identities

    def assign(self, expected_requests: float) -> None:
        share = {kind.name: kind.weight / sum(k.weight for k in MIX) for kind in MIX}
        creates = int(expected_requests * share["create"] * 1.5) + THREADS
        patches = self.PATCH_RING * THREADS
        if len(self.patchable) < patches or len(self.identities) < creates:
            raise RuntimeError("not enough unused households or identities for another run: seed more households")
        chosen, self.patchable = self.patchable[:patches], self.patchable[patches:]
        taken, self.identities = self.identities[:creates], self.identities[creates:]
        self.fixtures.patch_ids = [chosen[i::THREADS] for i in range(THREADS)]
        self.fixtures.create_ids = [taken[i::THREADS] for i in range(THREADS)]


def _create_programmes(gateway: str, token: str) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    agency = httpx.post(f"{gateway}/api/v1/agencies", headers=bearer, timeout=30, json={
        "code": "OPD-BENCH", "name": "Dinas Sosial Provinsi Lampung", "level": "province", "region_code": "18"})
    agency.raise_for_status()
    for n in range(20):
        httpx.post(f"{gateway}/api/v1/programs", headers=bearer, timeout=30, json={
            "code": f"PRG-BENCH-{n:02d}", "name": f"Bantuan sosial {n}", "agency_id": agency.json()["id"],
            "fiscal_year": 2026, "strategy": "reduce_burden", "cluster": 1, "sector": "social_assistance",
            "unit": "household", "benefit": "cash", "budget_idr": 1_500_000_000, "funding_source": "apbd_province",
            "target_beneficiaries": 1000}).raise_for_status()


def _fixtures(database_url: str, gateway: str, token: str) -> tuple[Fixtures, list[str], list[Identity]]:
    """The script's data, households that only the PATCHes touch, and families to create."""
    with psycopg.connect(database_url) as db:
        household_ids = [str(r[0]) for r in db.execute(
            "SELECT id FROM targeting.household WHERE status = 'active' ORDER BY random()")]
        people = db.execute("SELECT nik, name, birth_date FROM targeting.member WHERE status = 'active' "
                            "ORDER BY random() LIMIT 2000").fetchall()
        feed_last = db.execute("SELECT coalesce(max(seq), 0) FROM targeting.registry_change").fetchone()
        regencies = [r[0] for r in db.execute(
            "SELECT DISTINCT substr(region_code, 1, 5) FROM targeting.household ORDER BY 1")]
        village = db.execute("SELECT region_code, count(*) FROM targeting.household GROUP BY 1 ORDER BY 2 DESC "
                             "LIMIT 1").fetchone()
        assert village is not None and feed_last is not None
        district = village[0].replace(".", "")[:6]
        taken = {r[0] for r in db.execute("SELECT nik FROM targeting.member WHERE nik LIKE %s "
                                          "UNION SELECT no_kk FROM targeting.household WHERE no_kk LIKE %s",
                                          (district + "%", district + "%"))}
    identities = fresh_identities(district, taken, 60_000)
    list_paths = _list_paths(gateway, token, regencies)
    names = [(str(name).split()[0][:20], born.isoformat()) for _nik, name, born in people
             if len(str(name).split()[0]) >= 2]
    reads, patchable = household_ids[:5000], household_ids[5000:]
    return Fixtures(household_ids=reads, list_paths=list_paths, niks=[str(p[0]) for p in people],
                    names=names, feed_last=int(feed_last[0]), regencies=regencies, village=village[0]), \
        patchable, identities


def _list_paths(gateway: str, token: str, regencies: list[str]) -> list[str]:
    """First pages and deeper ones (real cursors), province-wide and per regency, some filtered."""
    starts = ["/api/v1/households?limit=50", "/api/v1/households?limit=50&welfare_decile_max=3&extreme_poor=true"]
    starts += [f"/api/v1/households?limit=50&region={code}" for code in regencies[:5]]
    paths = []
    with httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for start in starts:
            path: str | None = start
            for _ in range(10):
                assert path is not None
                paths.append(path)
                response = client.get(path)
                response.raise_for_status()
                cursor = response.json()["next_cursor"]
                if cursor is None:
                    break
                path = f"{start}&cursor={cursor}"
    return paths


def _check(gateway: str, script: str) -> None:
    """Every kind once through wrk before measuring: a mix that errs at rest would only measure errors."""
    result = run_mix(gateway, script, duration=3, connections=2)
    missing = [kind.name for kind in MIX if not result.statuses.get(kind.name)]
    if result.errors() or missing:
        raise RuntimeError(f"the mix fails at rest: errors {result.error_detail()}; kinds never answered: {missing}")


def _row_counts(database_url: str) -> tuple[int, int]:
    with psycopg.connect(database_url) as db:
        row = db.execute("SELECT (SELECT count(*) FROM targeting.household), "
                         "(SELECT count(*) FROM targeting.member)").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _statuses(result: MixResult) -> str:
    return "; ".join(f"{kind} " + ", ".join(f"{status}: {n}" for status, n in sorted(by_status.items()))
                     for kind, by_status in sorted(result.statuses.items()))


def _report(args: argparse.Namespace, database: Database, seeded: int, rows: tuple[int, int],
            runs: list[tuple[str, float, MixResult]], target: float, uptime_before: str, uptime_after: str) -> str:
    maximum, half = runs[0][2], runs[-1][2]
    verdict = ("PASSED: 0 errors" if half.errors() == 0 else f"FAILED: {half.errors()} errors ({half.error_detail()})")
    lines = [
        f"## {NAME}: {SUMMARY}",
        "",
        f"Run {now()} by `python -m bench load_mix --households {args.households} --max-duration "
        f"{args.max_duration} --duration {args.duration} --connections {args.connections}`.",
        f"Machine: {machine()}; database: {database.where}. The machine's 2 cores are shared with other agents' "
        f"work; the machine was {quietness([r.others_cpu_share for _, _, r in runs])}.",
        f"`uptime` before: `{uptime_before}`; after: `{uptime_after}`.",
        f"Registry: {seeded:,} synthetic households (`sinergi generate`, imported as `sinergi run` seeds), "
        f"{rows[0]:,} households and {rows[1]:,} members after the runs. Stack: targeting, programs, reporting "
        "and the gateway, one uvicorn worker each as `sinergi run` starts them; wrk (2 threads), the "
        "processes and PostgreSQL on the same CPUs. One client (token from the gateway), its rate limit "
        "raised so that the stack, not the limit, is measured.",
        "",
        "Mix (weights of 100), each request with an X-Request-ID naming its kind, which the gateway echoes:",
        "",
        "| kind | weight | request | refusals counted as expected |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {k.name} | {k.weight} | {k.what} | {', '.join(map(str, sorted(k.expected))) or '-'} |" for k in MIX]
    lines += [
        "",
        "| run | connections | think time (start -> end) | duration | req/s | p50 ms | p90 ms | p99 ms | max ms "
        "| errors | expected refusals | others' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(name, args.connections, start, result) for name, start, result in runs]
    lines += [
        "",
        f"**{verdict}** over {half.seconds:.0f} s at {half.requests_per_second:.0f} req/s "
        f"({half.requests_per_second / maximum.requests_per_second:.0%} of the maximum "
        f"{maximum.requests_per_second:.0f} req/s; target {target:.0f}); p50 {half.p50_ms:.1f} ms, "
        f"p99 {half.p99_ms:.1f} ms.",
        "",
        "Half rate: wrk has no constant-rate mode (wrk2 is not available), so the rate is held by rate control "
        "in the Lua script: each connection waits a random think time (uniform around a mean) before each "
        "request, through wrk's `delay()`, and every 5 s each wrk thread sets the mean from the rate and answer "
        "times of the last 5 s (half a step at a time). The mean starts from what the maximum run implies; a "
        "short settling run hands its final mean to the 5-minute run. Latency is wrk's, from sending a request "
        "to its answer, think time excluded. The rate is closed-loop: when other work on the machine slows "
        "the answers, the think time shrinks to keep the rate.",
        "",
        "`errors`: socket errors and timeouts plus every answer that is neither 2xx nor an expected refusal "
        "(412 on a PATCH whose If-Match a concurrent one made stale, 409 on a create). `others' CPU`: share of "
        "all CPU time used by processes outside this benchmark during the run.",
        "",
    ]
    lines += [f"Answers by kind, {name.strip('*')}: {_statuses(result)}." for name, _, result in runs[::2]]
    return "\n".join(lines)


def _row(name: str, connections: int, start: float, result: MixResult) -> str:
    think = "-" if not start and not result.delay_ms else f"{start:.0f} -> {result.delay_ms:.0f} ms"
    refusals = result.expected_refusals()
    detail = f" ({result.refusal_detail()})" if refusals else ""
    return (f"| {name} | {connections} | {think} | {result.seconds:.0f} s | {result.requests_per_second:.0f} "
            f"| {result.p50_ms:.1f} | {result.p90_ms:.1f} | {result.p99_ms:.1f} | {result.max_ms:.0f} "
            f"| {result.errors()} | {refusals}{detail} | {result.others_cpu_share:.0%} |")
