"""Applying one feed page to the read models: set-wise statements in one transaction, position included.

Both feeds arrive as the sources' bulk exports in PostgreSQL's binary COPY format: a page is copied into a
temporary staging table as it came (no object built or parsed per entry on either side), then merged by one
statement. Within a page an id may change several times: the current-state tables keep each id's last entry,
the history keeps every entry. Data-modifying CTEs all see the snapshot from before the statement, so the
history's "close the open row" update never touches rows inserted by the same statement.

The page's transaction first locks the feed's position row and checks it is still the position this consumer
read (`expected`): a second consumer (another replica) waits there, then finds the position moved and rolls
back. The position moves in the same statement as the rows it covers. Restarting therefore neither skips nor
applies twice, and every entry of a page is new to the read models.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kit.feedexport import copy_in
from reporting.consumer.sources import FeedPage
from reporting.readmodels.codes import SECTORS, STRATEGIES

# The feed's position, moved by the page's statement (its staging table is `{stage}`).
_POSITION = """
position AS (
    UPDATE reporting.feed_position AS f
    SET position = GREATEST(f.position, :next_after), source_head = :head,
        last_occurred_at = COALESCE((SELECT max(occurred_at) FROM {stage}), f.last_occurred_at),
        applied_at = CASE WHEN :entries > 0 THEN now() ELSE f.applied_at END,
        checked_at = now(), last_error = NULL
    WHERE f.feed = :feed AND f.position = :expected
    RETURNING f.position
)"""

# Bit i of `reach.sectors` / `reach.strategies` stands for SECTORS[i] / STRATEGIES[i].
_SECTOR_BIT = ("CAST(1 AS integer) << (array_position(ARRAY[" + ", ".join(f"'{x}'" for x in SECTORS)
               + "], CAST({sector} AS text)) - 1)")
_STRATEGY_BIT = ("CAST(1 AS integer) << (array_position(ARRAY[" + ", ".join(f"'{x}'" for x in STRATEGIES)
                 + "], CAST({strategy} AS text)) - 1)")


@dataclass(frozen=True)
class Stage:
    """A feed's staging table: the columns of its export, in order, with the types the export documents."""

    table: str
    columns: dict[str, str]

    @property
    def create(self) -> str:
        """Once per database session; each commit empties it in place (no new file, no catalog row)."""
        return (f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.table} ("
                + ", ".join(f"{name} {kind}" for name, kind in self.columns.items()) + ") ON COMMIT DELETE ROWS")


STAGES = {
    "registry": Stage("registry_stage", {
        "seq": "bigint", "type": "text", "id": "uuid", "household_id": "uuid", "region_code": "text",
        "occurred_at": "timestamptz", "change_request_id": "uuid", "import_id": "uuid", "status": "text",
        "no_kk": "text", "nik": "text", "name": "text", "relationship": "text", "address": "text",
        "welfare_decile": "smallint", "extreme_poor": "boolean"}),
    "programs": Stage("programs_stage", {
        "seq": "bigint", "type": "text", "id": "text", "region_code": "text", "occurred_at": "timestamptz",
        "program_id": "uuid", "household_id": "uuid", "member_id": "uuid", "delivered_on": "date",
        "value_idr": "bigint", "data": "jsonb"}),
}

REGISTRY = f"""
WITH household_entry AS MATERIALIZED (
    SELECT seq, type, id, region_code, occurred_at, no_kk, address, welfare_decile, extreme_poor, status
    FROM registry_stage WHERE type LIKE 'household.%'
),
member_entry AS MATERIALIZED (
    SELECT seq, type, id, occurred_at, household_id, nik, name, relationship, status
    FROM registry_stage WHERE type LIKE 'member.%'
),
{_POSITION.format(stage="registry_stage").strip()},
-- Each id's last state in the page, and whether the page holds its creation. A created record is new to the
-- read model (the targeting service mints its id, and the locked position says no later entry was applied):
-- it is inserted plainly, which costs half of an upsert; the others are upserted.
household_last AS MATERIALIZED (
    SELECT DISTINCT ON (id) id, no_kk, region_code, address, welfare_decile, extreme_poor, status, seq,
           bool_or(type = 'household.created') OVER (PARTITION BY id) AS created
    FROM household_entry ORDER BY id, seq DESC
),
household_insert AS (
    INSERT INTO reporting.household (id, no_kk, region_code, address, welfare_decile, extreme_poor, status, seq)
    SELECT id, no_kk, region_code, address, welfare_decile, extreme_poor, status, seq
    FROM household_last WHERE created
),
household_upsert AS (
    INSERT INTO reporting.household AS h (id, no_kk, region_code, address, welfare_decile, extreme_poor, status, seq)
    SELECT id, no_kk, region_code, address, welfare_decile, extreme_poor, status, seq
    FROM household_last WHERE NOT created
    ON CONFLICT (id) DO UPDATE SET no_kk = EXCLUDED.no_kk, region_code = EXCLUDED.region_code,
        address = EXCLUDED.address, welfare_decile = EXCLUDED.welfare_decile,
        extreme_poor = EXCLUDED.extreme_poor, status = EXCLUDED.status, seq = EXCLUDED.seq
    WHERE h.seq < EXCLUDED.seq
),
history AS (
    SELECT seq, type, id, region_code, extreme_poor, status, occurred_at AS valid_from,
           lead(occurred_at) OVER (PARTITION BY id ORDER BY seq) AS valid_to,
           row_number() OVER (PARTITION BY id ORDER BY seq) AS n
    FROM household_entry
),
-- A household's first entry here closes its open history row, unless it is its creation (it has none yet).
history_close AS (
    UPDATE reporting.household_history AS h SET valid_to = history.valid_from
    FROM history
    WHERE history.n = 1 AND history.type <> 'household.created' AND h.household_id = history.id
      AND h.valid_to IS NULL
),
-- Plain inserts: each entry's seq is new to the read model (the position is locked and checked first).
history_insert AS (
    INSERT INTO reporting.household_history (seq, household_id, region_code, extreme_poor, status, valid_from,
                                             valid_to)
    SELECT seq, id, region_code, extreme_poor, status, valid_from, valid_to FROM history
),
-- The household's region and extreme-poverty state, copied onto its reach rows (coverage reads them there).
-- (A delivery applied from the programs feed may precede its household's creation here.)
reach_sync AS (
    UPDATE reporting.reach AS r SET region_code = e.region_code,
        extreme_poor = (e.status = 'active' AND e.extreme_poor)
    FROM household_last e
    WHERE r.household_id = e.id
),
member_last AS MATERIALIZED (
    SELECT DISTINCT ON (id) id, household_id, nik, name, relationship, status,
           bool_or(type = 'member.created') OVER (PARTITION BY id) AS created
    FROM member_entry ORDER BY id, seq DESC
),
member_insert AS (
    INSERT INTO reporting.member (id, household_id, nik, name, relationship, status)
    SELECT id, household_id, nik, name, relationship, status FROM member_last WHERE created
),
member_upsert AS (
    INSERT INTO reporting.member AS m (id, household_id, nik, name, relationship, status)
    SELECT id, household_id, nik, name, relationship, status FROM member_last WHERE NOT created
    ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id, nik = EXCLUDED.nik,
        name = EXCLUDED.name, relationship = EXCLUDED.relationship, status = EXCLUDED.status
)
SELECT CAST(:entries AS integer) AS entries, (SELECT count(*) FROM position) AS moved
"""


PROGRAMS = f"""
WITH entry AS MATERIALIZED (SELECT * FROM programs_stage),
{_POSITION.format(stage="programs_stage").strip()},
agency_upsert AS (
    INSERT INTO reporting.agency AS a (id, code, name, level, region_code)
    SELECT DISTINCT ON (id) CAST(id AS uuid), data ->> 'code', data ->> 'name', data ->> 'level',
           data ->> 'region_code'
    FROM entry WHERE type IN ('agency.created', 'agency.updated') ORDER BY id, seq DESC
    ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, level = EXCLUDED.level,
        region_code = EXCLUDED.region_code
),
program_entry AS MATERIALIZED (
    SELECT DISTINCT ON (id) CAST(id AS uuid) AS id, data ->> 'code' AS code, data ->> 'name' AS name,
           CAST(data ->> 'agency_id' AS uuid) AS agency_id, data ->> 'region_code' AS region_code,
           CAST(data ->> 'fiscal_year' AS integer) AS fiscal_year, data ->> 'strategy' AS strategy,
           CAST(data ->> 'cluster' AS smallint) AS cluster, data ->> 'sector' AS sector, data ->> 'unit' AS unit,
           data ->> 'benefit' AS benefit, CAST(data ->> 'budget_idr' AS bigint) AS budget_idr,
           data ->> 'funding_source' AS funding_source,
           CAST(data ->> 'target_beneficiaries' AS bigint) AS target_beneficiaries,
           ARRAY(SELECT jsonb_array_elements_text(COALESCE(data -> 'priority_areas', '[]'))) AS priority_areas,
           data ->> 'status' AS status
    FROM entry WHERE type IN ('program.created', 'program.updated') ORDER BY id, seq DESC
),
program_upsert AS (
    INSERT INTO reporting.program AS p (id, code, name, agency_id, region_code, fiscal_year, strategy, cluster,
        sector, unit, benefit, budget_idr, funding_source, target_beneficiaries, priority_areas, status)
    SELECT id, code, name, agency_id, region_code, fiscal_year, strategy, cluster, sector, unit, benefit,
           budget_idr, funding_source, target_beneficiaries, priority_areas, status
    FROM program_entry
    ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, agency_id = EXCLUDED.agency_id,
        region_code = EXCLUDED.region_code, fiscal_year = EXCLUDED.fiscal_year, strategy = EXCLUDED.strategy,
        cluster = EXCLUDED.cluster, sector = EXCLUDED.sector, unit = EXCLUDED.unit, benefit = EXCLUDED.benefit,
        budget_idr = EXCLUDED.budget_idr, funding_source = EXCLUDED.funding_source,
        target_beneficiaries = EXCLUDED.target_beneficiaries, priority_areas = EXCLUDED.priority_areas,
        status = EXCLUDED.status
),
-- Plain inserts: an enrolment or delivery is created once, and every entry of the page is new (see above).
enrollment_insert AS (
    INSERT INTO reporting.enrollment (id, program_id, household_id, member_id, region_code)
    SELECT CAST(id AS bigint), program_id, household_id, member_id, region_code
    FROM entry WHERE type = 'enrollment.created'
),
delivery_entry AS MATERIALIZED (
    SELECT CAST(id AS bigint) AS id, program_id, household_id, member_id, region_code, delivered_on, value_idr
    FROM entry WHERE type = 'delivery.created'
),
delivery_insert AS (
    INSERT INTO reporting.delivery (id, program_id, household_id, member_id, region_code, delivered_on, value_idr)
    SELECT id, program_id, household_id, member_id, region_code, delivered_on, value_idr FROM delivery_entry
),
-- The sectors and strategies each delivery adds to its household's year, with the programme as this page
-- leaves it (a programme created in the same page is not in the table's snapshot yet).
reach_upsert AS (
    INSERT INTO reporting.reach AS r (household_id, year, sectors, strategies, region_code, extreme_poor)
    SELECT d.household_id, CAST(extract(year FROM d.delivered_on) AS integer),
           coalesce(bit_or({_SECTOR_BIT.format(sector="coalesce(pe.sector, p.sector)")}), 0),
           coalesce(bit_or({_STRATEGY_BIT.format(strategy="coalesce(pe.strategy, p.strategy)")}), 0),
           min(h.region_code), coalesce(bool_and(h.status = 'active' AND h.extreme_poor), false)
    FROM delivery_entry d
    LEFT JOIN program_entry pe ON pe.id = d.program_id
    LEFT JOIN reporting.program p ON p.id = d.program_id
    LEFT JOIN reporting.household h ON h.id = d.household_id
    GROUP BY 1, 2
    ON CONFLICT (household_id, year) DO UPDATE SET sectors = r.sectors | EXCLUDED.sectors,
        strategies = r.strategies | EXCLUDED.strategies
),
spending_upsert AS (
    INSERT INTO reporting.spending AS s (program_id, period, amount_idr)
    SELECT DISTINCT ON (data ->> 'program_id', data ->> 'period') CAST(data ->> 'program_id' AS uuid),
           data ->> 'period', CAST(data ->> 'amount_idr' AS bigint)
    FROM entry WHERE type = 'spending.recorded' ORDER BY data ->> 'program_id', data ->> 'period', seq DESC
    ON CONFLICT (program_id, period) DO UPDATE SET amount_idr = EXCLUDED.amount_idr
)
SELECT CAST(:entries AS integer) AS entries, (SELECT count(*) FROM position) AS moved,
       -- Programmes whose sector or strategy this page changed: their households' reach is rebuilt after.
       ARRAY(SELECT pe.id FROM program_entry pe JOIN reporting.program p ON p.id = pe.id
             WHERE (pe.sector, pe.strategy) IS DISTINCT FROM (p.sector, p.strategy)) AS regrouped
"""

# Rebuild the reach of every household-year a regrouped programme delivered to, from all their deliveries.
REACH_REBUILD = f"""
WITH affected AS (
    SELECT DISTINCT household_id, CAST(extract(year FROM delivered_on) AS integer) AS year
    FROM reporting.delivery WHERE program_id = ANY(CAST(:programs AS uuid[]))
), fresh AS (
    SELECT a.household_id, a.year, bit_or({_SECTOR_BIT.format(sector="p.sector")}) AS sectors,
           bit_or({_STRATEGY_BIT.format(strategy="p.strategy")}) AS strategies
    FROM affected a
    JOIN reporting.delivery d ON d.household_id = a.household_id
         AND d.delivered_on >= make_date(a.year, 1, 1) AND d.delivered_on < make_date(a.year + 1, 1, 1)
    JOIN reporting.program p ON p.id = d.program_id
    GROUP BY a.household_id, a.year
)
UPDATE reporting.reach r SET sectors = fresh.sectors, strategies = fresh.strategies
FROM fresh WHERE r.household_id = fresh.household_id AND r.year = fresh.year
"""



@dataclass(frozen=True)
class Applied:
    entries: int
    moved: bool


async def apply_page(session: AsyncSession, feed: str, page: FeedPage, *, expected: int) -> Applied:
    """Apply one page if the position is still `expected`.

    When it is not (another consumer got there first), nothing must stay: the caller rolls back. The position
    row is locked first, so a second consumer waits here until this page commits, then finds it moved.
    """
    position = await session.scalar(text("SELECT position FROM reporting.feed_position WHERE feed = :feed "
                                         "FOR UPDATE"), {"feed": feed})
    if position != expected:
        return Applied(entries=0, moved=False)
    # The page's sorts (DISTINCT ON, the history's window) stay in memory instead of spilling to disk.
    await session.execute(text("SET LOCAL work_mem = '64MB'"))
    stage = STAGES[feed]
    await session.execute(text(stage.create))
    # Empty already after a commit or a rollback; not where the pages share one uncommitted transaction (the
    # in-process tests). A DELETE, not a TRUNCATE: polling every few seconds must not mint a new file each time.
    await session.execute(text(f"DELETE FROM {stage.table}"))
    if page.entries:
        await copy_in(await session.connection(), f"COPY {stage.table} FROM STDIN (FORMAT binary)", page.body)
    params = {"next_after": page.next_after, "head": page.head, "entries": page.entries, "expected": expected,
              "feed": feed}
    row = (await session.execute(text(REGISTRY if feed == "registry" else PROGRAMS), params)).one()
    if feed == "programs" and row.regrouped:
        await session.execute(text(REACH_REBUILD), {"programs": list(row.regrouped)})
    return Applied(entries=row.entries, moved=row.moved == 1)
