"""All SQL of the reports, over the read models only. Every statement takes the region as a subtree filter
(`code = :region OR code LIKE :region || '.%'`, an index range under the C collation) and areas as code
prefixes (`left(region_code, n)`: 2 province, 5 regency, 8 district, 13 village)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.readmodels.codes import SECTORS, STRATEGIES, mask_of

ALL_SECTORS = mask_of(SECTORS, SECTORS)
EDUCATION_HEALTH_WATER = mask_of(SECTORS, ("education", "health", "water_sanitation"))
ALL_STRATEGIES = mask_of(STRATEGIES, STRATEGIES)


def _inside(column: str) -> str:
    return f"({column} = :region OR {column} LIKE :region_like)"


# Extreme-poor households per area: an index-only count per village, in the index's order, then summed per area
# (grouping every household by its area's prefix hashed each row: 1.8x slower at provincial scale). And those of
# them reached in the year with the bits of what reached them (reporting.reach carries each household's current
# region and extreme-poverty state).
_POOR = f"""
poor AS (
    SELECT left(region_code, :width) AS area, CAST(sum(households) AS bigint) AS households FROM (
        SELECT region_code, count(*) AS households FROM reporting.household
        WHERE status = 'active' AND extreme_poor AND {_inside("region_code")} GROUP BY region_code
    ) village GROUP BY 1
),
reached AS (
    SELECT left(region_code, :width) AS area, sectors, strategies FROM reporting.reach
    WHERE year = :year AND extreme_poor AND sectors <> 0 AND {_inside("region_code")}
)"""

_SECTOR_COUNTS = ", ".join(f"count(*) FILTER (WHERE sectors & {1 << i} <> 0) AS {s}" for i, s in enumerate(SECTORS))
_SECTOR_NUMBER = " + ".join(f"(sectors >> {i} & 1)" for i in range(len(SECTORS)))

COVERAGE = f"""
WITH {_POOR},
covered AS (SELECT area, count(*) AS covered_households, {_SECTOR_COUNTS} FROM reached GROUP BY area)
SELECT poor.area, poor.households AS extreme_poor_households,
       coalesce(covered.covered_households, 0) AS covered_households,
       {", ".join(f"coalesce(covered.{s}, 0) AS {s}" for s in SECTORS)}
FROM poor LEFT JOIN covered ON covered.area = poor.area ORDER BY poor.area
"""

CONVERGENCE = f"""
WITH {_POOR}, counted AS (SELECT {_SECTOR_NUMBER} AS n, sectors, strategies FROM reached)
SELECT (SELECT coalesce(sum(households), 0) FROM poor) AS extreme_poor_households,
       (SELECT coalesce(sum(households), 0) FROM poor) - count(*) AS sectors_0,
       count(*) FILTER (WHERE n = 1) AS sectors_1,
       count(*) FILTER (WHERE n = 2) AS sectors_2, count(*) FILTER (WHERE n >= 3) AS sectors_3_or_more,
       count(*) FILTER (WHERE sectors & {EDUCATION_HEALTH_WATER} = {EDUCATION_HEALTH_WATER}) AS education_health_water,
       count(*) FILTER (WHERE strategies & {ALL_STRATEGIES} = {ALL_STRATEGIES}) AS all_three_strategies
FROM counted
"""

UNREACHED = f"""
WITH poor AS (
    SELECT h.id, h.no_kk, h.region_code, h.address, h.welfare_decile, coalesce(r.sectors, 0) AS sectors
    FROM reporting.household h
    LEFT JOIN reporting.reach r ON r.household_id = h.id AND r.year = :year
    WHERE h.status = 'active' AND h.extreme_poor AND {_inside("h.region_code")}
      AND (CAST(:after AS uuid) IS NULL OR h.id > CAST(:after AS uuid))
      AND coalesce(r.sectors, 0) & :mask = 0
    ORDER BY h.id LIMIT :limit
)
SELECT poor.*, r.name AS region_name, head.nik AS head_nik, head.name AS head_name
FROM poor
LEFT JOIN reporting.region r ON r.code = poor.region_code
LEFT JOIN LATERAL (
    SELECT m.nik, m.name FROM reporting.member m
    WHERE m.household_id = poor.id AND m.relationship = 'head' AND m.status = 'active' ORDER BY m.id LIMIT 1
) head ON true
ORDER BY poor.id
"""

# Programmes of agencies inside the region or above it; their enrolments and deliveries inside the region only.
EVALUATION = f"""
WITH program AS (
    SELECT p.* FROM reporting.program p
    WHERE p.fiscal_year = :fiscal_year AND (CAST(:agency_id AS uuid) IS NULL OR p.agency_id = :agency_id)
      AND ({_inside("p.region_code")} OR p.region_code = ANY(CAST(:above AS text[])))
),
-- Each household once per programme (a person-unit programme enrols several members of one family), with its
-- state in the registry; priority areas match the household's area or any area above it (its code's prefixes).
enrolled AS (
    SELECT e.program_id, e.household_id, coalesce(h.region_code, e.region_code) AS region_code,
           h.status, h.welfare_decile, h.extreme_poor
    FROM (SELECT e.program_id, e.household_id, min(e.region_code) AS region_code
          FROM reporting.enrollment e JOIN program ON program.id = e.program_id
          WHERE {_inside("e.region_code")}
          GROUP BY e.program_id, e.household_id) e
    LEFT JOIN reporting.household h ON h.id = e.household_id
),
-- The year's priority areas, each prefix tested by an IN that PostgreSQL answers from one hash table: an
-- index probe per enrolment cost 2x as much, and 60x before the planner had statistics on new designations.
priority AS (SELECT region_code FROM reporting.designation WHERE year = :fiscal_year),
enrolled_counts AS (
    SELECT program_id, count(*) AS enrolled,
           count(*) FILTER (WHERE status = 'active' AND (welfare_decile <= 4 OR extreme_poor)) AS accurate,
           count(*) FILTER (WHERE status IS DISTINCT FROM 'active') AS leaked,
           count(*) FILTER (WHERE left(region_code, 2) IN (SELECT region_code FROM priority)
                               OR left(region_code, 5) IN (SELECT region_code FROM priority)
                               OR left(region_code, 8) IN (SELECT region_code FROM priority)
                               OR region_code IN (SELECT region_code FROM priority)) AS in_priority
    FROM enrolled GROUP BY program_id
),
delivered AS (
    SELECT d.program_id, count(DISTINCT d.household_id) AS delivered
    FROM reporting.delivery d JOIN program ON program.id = d.program_id
    WHERE {_inside("d.region_code")} AND d.delivered_on >= :year_start AND d.delivered_on < :year_end
    GROUP BY d.program_id
),
spent AS (
    SELECT s.program_id, sum(s.amount_idr) AS spent FROM reporting.spending s JOIN program ON program.id = s.program_id
    GROUP BY s.program_id
)
SELECT program.id, program.code, program.name, program.agency_id, a.code AS agency_code, a.name AS agency_name,
       a.level AS agency_level, program.region_code, program.sector, program.strategy, program.cluster,
       program.unit, program.funding_source, program.status, program.budget_idr,
       coalesce(spent.spent, 0) AS spent_idr, program.target_beneficiaries,
       coalesce(c.enrolled, 0) AS enrolled, coalesce(delivered.delivered, 0) AS delivered,
       coalesce(c.accurate, 0) AS accurate, coalesce(c.leaked, 0) AS leaked, coalesce(c.in_priority, 0) AS in_priority
FROM program
LEFT JOIN reporting.agency a ON a.id = program.agency_id
LEFT JOIN enrolled_counts c ON c.program_id = program.id
LEFT JOIN delivered ON delivered.program_id = program.id
LEFT JOIN spent ON spent.program_id = program.id
ORDER BY a.code NULLS LAST, program.agency_id, program.code, program.id
"""

# The count of each area at each quarter's end: history rows valid at that instant.
PROGRESS = f"""
WITH quarter AS (SELECT unnest(CAST(:ends AS timestamptz[])) AS ends)
SELECT quarter.ends, left(h.region_code, :width) AS area, count(*) AS households
FROM quarter JOIN reporting.household_history h
  ON h.valid_from < quarter.ends AND (h.valid_to IS NULL OR h.valid_to >= quarter.ends)
WHERE h.extreme_poor AND h.status = 'active' AND {_inside("h.region_code")}
GROUP BY quarter.ends, area
"""


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, sql: str, region: str, **params: Any) -> Sequence[Row[Any]]:
        return (await self.session.execute(text(sql), {"region": region, "region_like": region + ".%",
                                                       **params})).all()

    async def coverage(self, region: str, *, width: int, year: int) -> Sequence[Row[Any]]:
        return await self._rows(COVERAGE, region, width=width, year=year)

    async def convergence(self, region: str, *, year: int) -> Row[Any]:
        return (await self._rows(CONVERGENCE, region, width=len(region), year=year))[0]

    async def unreached(self, region: str, *, year: int, sector: str | None, after: uuid.UUID | None,
                        limit: int) -> Sequence[Row[Any]]:
        """Households no programme (of `sector`, if given) reached in the year; `sectors` what did reach them."""
        mask = ALL_SECTORS if sector is None else mask_of(SECTORS, [sector])
        return await self._rows(UNREACHED, region, year=year, mask=mask, after=after, limit=limit)

    async def evaluation(self, region: str, *, above: list[str], fiscal_year: int, agency_id: uuid.UUID | None,
                         year_start: Any, year_end: Any) -> Sequence[Row[Any]]:
        return await self._rows(EVALUATION, region, above=above, fiscal_year=fiscal_year, agency_id=agency_id,
                                year_start=year_start, year_end=year_end)

    async def progress(self, region: str, *, width: int, ends: list[datetime]) -> Sequence[Row[Any]]:
        return await self._rows(PROGRESS, region, width=width, ends=ends)

    async def region_names(self, codes: Sequence[str]) -> dict[str, str]:
        rows = await self.session.execute(text("SELECT code, name FROM reporting.region WHERE code = ANY(:codes)"),
                                          {"codes": list(codes)})
        return {code: name for code, name in rows.all()}

    async def areas(self, region: str, *, width: int) -> list[str]:
        """Every known area of the level inside the region (so an area without extreme poverty still shows)."""
        rows = await self._rows(f"SELECT code FROM reporting.region WHERE length(code) = :width AND "
                                f"{_inside('code')} ORDER BY code", region, width=width)
        return [r.code for r in rows]

    async def designations(self, region: str, *, above: list[str], year: int) -> Sequence[Row[Any]]:
        return await self._rows(f"SELECT region_code, name, level, decree FROM reporting.designation "
                                f"WHERE year = :year AND ({_inside('region_code')} OR region_code = ANY(:above)) "
                                f"ORDER BY length(region_code), region_code", region, year=year, above=above)

    async def snapshot(self) -> Sequence[Row[Any]]:
        return (await self.session.execute(text(
            "SELECT feed, position, source_head, last_occurred_at, applied_at, checked_at, last_error "
            "FROM reporting.feed_position ORDER BY feed"))).all()
