"""The synthetic registry the registry benchmarks read: 1 M households and about 4 M members over Lampung's
villages, made by one set-based INSERT ... SELECT generate_series per table (seeded), in a kept database
that later runs reuse instead of filling again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from bench.stack import Database, kept_database

HOUSEHOLDS = 1_000_000
AS_OF = "2025-06-30"

# Kemendagri code, population 2025, extreme-poor % 2022, poor % (2024, else 2022, else the province's):
# DOMAIN.md section 7. Households are spread by population, poverty and housing follow the rates.
REGENCIES = [
    ("18.01", 1124683, 2.43, 12.57), ("18.02", 1394395, 2.15, 10.37), ("18.03", 675626, 4.79, 16.92),
    ("18.04", 313756, 3.37, 10.68), ("18.05", 440040, 1.16, 7.88), ("18.06", 641036, 1.95, 10.28),
    ("18.07", 1122605, 3.04, 13.98), ("18.08", 495058, 2.74, 10.43), ("18.09", 501047, 1.89, 11.86),
    ("18.10", 444834, 1.11, 8.32), ("18.11", 241280, 0.38, 6.31), ("18.12", 312516, 0.91, 7.22),
    ("18.13", 177430, 2.98, 10.69), ("18.71", 1077664, 1.80, 7.37), ("18.72", 182293, 0.83, 6.78),
]

FILL_SQL = """
SET LOCAL session_replication_role = replica;  -- skip per-row foreign-key checks: every key is generated valid
SELECT setseed(0.2022);
CREATE TEMP TABLE bench_regency (code text, pop bigint, extreme numeric, poor numeric) ON COMMIT DROP;
INSERT INTO bench_regency VALUES {regencies};
CREATE TEMP TABLE bench_share ON COMMIT DROP AS
  SELECT code, extreme, poor,
         (sum(pop) OVER (ORDER BY code) - pop)::float8 / sum(pop) OVER () AS lo,
         sum(pop) OVER (ORDER BY code)::float8 / sum(pop) OVER () AS hi
  FROM bench_regency;
CREATE TEMP TABLE bench_village ON COMMIT DROP AS
  SELECT left(code, 5) AS regency, code, row_number() OVER (PARTITION BY left(code, 5) ORDER BY code) AS n,
         count(*) OVER (PARTITION BY left(code, 5)) AS total
  FROM targeting.region WHERE level = 'village' AND code LIKE '18.%' AND retired_by_decree_id IS NULL;

WITH s AS MATERIALIZED (
  SELECT g, random() u_reg, random() u_vil, random() u_dec, random() u_dec2, random() u_ext, random() u_area,
         random() u_floor, random() u_wall, random() u_roof, random() u_water, random() u_light, random() u_fuel,
         random() u_toilet, random() u_status
  FROM generate_series(1, {households}) g
), placed AS MATERIALIZED (
  SELECT s.*, r.extreme, r.poor / 50.0 AS pbad, v.code AS village
  FROM s JOIN bench_share r ON s.u_reg >= r.lo AND s.u_reg < r.hi
  JOIN bench_village v ON v.regency = r.code AND v.n = 1 + floor(s.u_vil * v.total)::int
)
INSERT INTO targeting.household (id, no_kk, region_code, welfare_decile, extreme_poor, floor_area_m2, floor, wall,
                                 roof, drinking_water, lighting, cooking_fuel, toilet, status, inactive_reason,
                                 source)
SELECT uuidv7(), replace(left(village, 8), '.', '') || lpad(g::text, 10, '0'), village,
  CASE WHEN u_ext < extreme / 37.0 THEN CASE WHEN u_dec < 0.9 THEN 1 ELSE 2 END
       WHEN u_dec < 0.05 THEN NULL
       WHEN u_dec < 0.35 + pbad THEN 1 + floor(u_dec2 * 4)::int
       ELSE 5 + floor(u_dec2 * 6)::int END,
  u_ext < extreme / 37.0,
  CASE WHEN u_area < 0.03 THEN NULL ELSE round((10 + u_area * u_area * 140)::numeric, 1) END,
  CASE WHEN u_floor < 0.02 THEN NULL WHEN u_floor < 0.02 + pbad * 0.4 THEN 'earth'
       WHEN u_floor < 0.10 + pbad * 0.4 THEN 'wood_low_quality' WHEN u_floor < 0.15 + pbad * 0.4 THEN 'bamboo'
       WHEN u_floor < 0.60 THEN 'cement_brick' WHEN u_floor < 0.95 THEN 'ceramic' ELSE 'tile_terrazzo' END,
  CASE WHEN u_wall < 0.02 THEN NULL WHEN u_wall < 0.62 THEN 'masonry' WHEN u_wall < 0.82 THEN 'wood'
       WHEN u_wall < 0.92 THEN 'woven_bamboo' WHEN u_wall < 0.97 THEN 'plastered_woven_bamboo' ELSE 'bamboo' END,
  CASE WHEN u_roof < 0.02 THEN NULL WHEN u_roof < 0.32 THEN 'metal_tile' WHEN u_roof < 0.67 THEN 'clay_tile'
       WHEN u_roof < 0.87 THEN 'zinc' WHEN u_roof < 0.97 THEN 'asbestos' ELSE 'thatch' END,
  CASE WHEN u_water < 0.02 THEN NULL WHEN u_water < 0.32 THEN 'refill' WHEN u_water < 0.57 THEN 'protected_well'
       WHEN u_water < 0.72 THEN 'borehole_pump' WHEN u_water < 0.72 + pbad * 0.3 THEN 'unprotected_well'
       WHEN u_water < 0.85 THEN 'piped_metered' WHEN u_water < 0.88 THEN 'surface_water'
       WHEN u_water < 0.93 THEN 'bottled' ELSE 'protected_spring' END,
  CASE WHEN u_light < 0.01 THEN NULL WHEN u_light < 0.94 THEN 'pln' WHEN u_light < 0.98 THEN 'non_pln'
       ELSE 'non_electric' END,
  CASE WHEN u_fuel < 0.02 THEN NULL WHEN u_fuel < 0.05 + pbad * 0.5 THEN 'firewood' WHEN u_fuel < 0.85 THEN 'lpg_3kg'
       WHEN u_fuel < 0.90 THEN 'lpg_large' WHEN u_fuel < 0.94 THEN 'kerosene' WHEN u_fuel < 0.97 THEN 'electricity'
       ELSE 'charcoal' END,
  CASE WHEN u_toilet < 0.02 THEN NULL WHEN u_toilet < 0.02 + pbad * 0.3 THEN 'none'
       WHEN u_toilet < 0.80 THEN 'own' WHEN u_toilet < 0.95 THEN 'shared' ELSE 'public' END,
  CASE WHEN u_status < 0.03 THEN 'inactive' ELSE 'active' END,
  CASE WHEN u_status < 0.03 THEN 'moved' END,
  'bench'
FROM placed;

WITH hh AS MATERIALIZED (
  SELECT id, status, 1 + floor(random() * 7)::int AS n FROM targeting.household WHERE source = 'bench'
), people AS MATERIALIZED (
  SELECT hh.id AS household_id, hh.status AS hstatus, k, row_number() OVER () AS seq,
         random() u_sex, random() u_age, random() u_edu, random() u_occ, random() u_dis, random() u_preg,
         random() u_stat, random() u_rel
  FROM hh CROSS JOIN LATERAL generate_series(1, hh.n) k
), typed AS MATERIALIZED (
  SELECT p.*,
    CASE WHEN k = 1 THEN 'head' WHEN k = 2 THEN 'spouse' WHEN u_rel < 0.08 THEN 'parent'
         WHEN u_rel < 0.14 THEN 'grandchild' ELSE 'child' END AS relationship
  FROM people p
), aged AS MATERIALIZED (
  SELECT t.*,
    CASE relationship WHEN 'head' THEN 22 + u_age * 58 WHEN 'spouse' THEN 19 + u_age * 55
         WHEN 'parent' THEN 58 + u_age * 32 WHEN 'grandchild' THEN u_age * 12 ELSE u_age * 26 END AS years,
    CASE WHEN k = 1 THEN CASE WHEN u_sex < 0.85 THEN 'M' ELSE 'F' END
         WHEN k = 2 THEN CASE WHEN u_sex < 0.85 THEN 'F' ELSE 'M' END
         WHEN u_sex < 0.5 THEN 'M' ELSE 'F' END AS sex
  FROM typed t
)
INSERT INTO targeting.member (id, household_id, nik, name, sex, birth_date, relationship, education,
                              school_participation, occupation, disability, chronic_illness, pregnant, status,
                              inactive_reason)
SELECT uuidv7(), household_id, '9' || lpad(seq::text, 15, '0'), 'Warga ' || seq, sex,
  DATE '{as_of}' - (years * 365.25)::int, relationship,
  CASE WHEN years < 7 THEN NULL WHEN years < 13 THEN CASE WHEN u_edu < 0.1 THEN 'none' ELSE 'primary' END
       WHEN u_edu < 0.10 THEN 'none' WHEN u_edu < 0.45 THEN 'primary' WHEN u_edu < 0.70 THEN 'junior_secondary'
       WHEN u_edu < 0.92 THEN 'senior_secondary' WHEN u_edu < 0.95 THEN 'diploma' WHEN u_edu < 0.99 THEN 'bachelor'
       ELSE 'postgraduate' END,
  CASE WHEN years < 7 THEN 'not_yet'
       WHEN years < 19 THEN CASE WHEN u_occ < 0.85 THEN 'enrolled' WHEN u_occ < 0.94 THEN 'dropped_out'
                                 WHEN u_occ < 0.97 THEN 'never' END END,
  CASE WHEN years < 15 THEN NULL WHEN years < 22 AND u_occ < 0.5 THEN 'student'
       WHEN u_occ < 0.35 THEN 'farmer' WHEN u_occ < 0.55 THEN 'labourer' WHEN u_occ < 0.65 THEN 'trader'
       WHEN u_occ < 0.75 THEN 'self_employed' WHEN u_occ < 0.85 THEN 'housekeeping' WHEN u_occ < 0.93 THEN 'none'
       WHEN u_occ < 0.97 THEN 'private_employee' WHEN u_occ < 0.99 THEN 'civil_servant' ELSE 'fisher' END,
  u_dis < CASE WHEN years >= 60 THEN 0.10 ELSE 0.03 END,
  u_dis > CASE WHEN years >= 60 THEN 0.75 ELSE 0.92 END,
  sex = 'F' AND years BETWEEN 18 AND 45 AND u_preg < 0.05,
  CASE WHEN hstatus = 'inactive' OR u_stat < 0.02 THEN 'inactive' ELSE 'active' END,
  CASE WHEN hstatus = 'inactive' THEN 'moved' WHEN u_stat < 0.02 THEN 'deceased' END
FROM aged;
"""


@dataclass(frozen=True)
class Registry:
    database: Database
    households: int
    members: int
    active_households: int
    fill_seconds: float | None

    def describe(self) -> str:
        made = (f"filled by this run in {self.fill_seconds:,.0f} s" if self.fill_seconds is not None
                else "filled by an earlier run and reused")
        return (f"{self.households:,} households ({self.active_households:,} active) and {self.members:,} members, "
                f"synthetic and seeded (FILL_SQL in bench/registry.py), {made}")


def database_name(households: int) -> str:
    return "sinergi_bench" if households == HOUSEHOLDS else f"sinergi_bench_{households}"


def fill(url: str, households: int = HOUSEHOLDS) -> tuple[float | None, int, int]:
    """Fill the registry unless it already holds `households` synthetic households; return (seconds the fill
    took or None when it was already filled, households, members)."""
    with psycopg.connect(url) as connection:
        have = connection.execute("SELECT count(*) FROM targeting.household WHERE source = 'bench'").fetchone()
        took = None
        if not have or have[0] < households:
            started = time.perf_counter()
            values = ", ".join(f"('{c}', {p}, {e}, {q})" for c, p, e, q in REGENCIES)
            sql = FILL_SQL.format(regencies=values, households=households, as_of=AS_OF)
            with connection.transaction():
                connection.execute(sql)  # type: ignore[call-overload]  # a script: no parameters, several statements
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM (ANALYZE) targeting.household, targeting.member, targeting.region")
            took = time.perf_counter() - started
        counted = connection.execute("SELECT count(*) FROM targeting.household").fetchone()[0]  # type: ignore[index]
        members = connection.execute("SELECT count(*) FROM targeting.member").fetchone()[0]  # type: ignore[index]
    return took, counted, members


@contextmanager
def filled_registry(households: int = HOUSEHOLDS) -> Iterator[Registry]:
    """The kept bench database, migrated to head and filled with `households` households (once)."""
    with kept_database(database_name(households)) as database:
        took, counted, members = fill(database.url, households)
        with psycopg.connect(database.url) as connection:
            active = connection.execute(
                "SELECT count(*) FROM targeting.household WHERE status = 'active'").fetchone()[0]  # type: ignore[index]
        yield Registry(database, counted, members, active, took)
