"""The import's hot path in SQL: staging by COPY, a set-wise plan of every row's outcome, and the publish.

Below the ORM on purpose (STYLE.md): a million households cannot go through per-row objects. Rows are
COPYed into TEMP tables (no WAL, gone with the session), then each file becomes a *plan*: one row per
staged row holding its refusal code or the complete record as it will stand after the import (its
post-image), so inserts, updates and feed entries are all written from the plan without reading the
registry again. Everything runs in the job's one data transaction: a job that dies leaves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, text

from targeting.feed.repository import FEED_LOCK_KEY
from targeting.households.records import household_record_sql, member_record_sql
from targeting.imports.dialects import FileKind
from targeting.imports.rows import BOOLEAN_FIELDS, HOUSEHOLD_FIELDS, MEMBER_FIELDS

STAGING = {
    FileKind.households: ("import_household", ("line", "refused", "new_id", *HOUSEHOLD_FIELDS)),
    FileKind.members: ("import_member", ("line", "new_id", *MEMBER_FIELDS, "data_quality")),
}
_STAGING_DDL = """
CREATE TEMP TABLE import_household (
    line integer NOT NULL, refused boolean NOT NULL, new_id uuid NOT NULL, no_kk text NOT NULL, id_dtks text,
    region_code text, address text, welfare_decile smallint, extreme_poor boolean, floor_area_m2 numeric(8, 2),
    floor text, wall text, roof text, drinking_water text, lighting text, cooking_fuel text, toilet text
) ON COMMIT DROP;
CREATE TEMP TABLE import_member (
    line integer NOT NULL, new_id uuid NOT NULL, no_kk text NOT NULL, nik text NOT NULL, name text NOT NULL,
    sex text NOT NULL, birth_date date NOT NULL, relationship text NOT NULL, education text,
    school_participation text, occupation text, disability boolean, chronic_illness boolean, pregnant boolean,
    data_quality varchar(32)[] NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE import_problem_stage (
    file text NOT NULL, line integer NOT NULL, column_name text NOT NULL, code text NOT NULL, detail text NOT NULL
) ON COMMIT DROP;
"""
# Refusals decided set-wise, with what the errors CSV says about them.
PLAN_CODES = {
    "duplicate_no_kk": "This No. KK appears on an earlier households row of this import.",
    "no_kk_taken": "This No. KK belongs to an active household outside this client's region.",
    "ambiguous_match": "More than one active registry record matches this row; resolve the duplicates first.",
    "head_count": "A family has exactly one head; this row would leave it with none or a second one.",
    "duplicate_nik": "This NIK appears on an earlier members row of this import.",
    "nik_taken": "This NIK belongs to an active member of a household outside this client's region.",
    "unknown_family": "No family with this No. KK is in the households file or in the registry (in your region).",
    "family_refused": "The family's households row was refused, so its members are too.",
}
_HOUSEHOLD_DATA = tuple(f for f in HOUSEHOLD_FIELDS if f != "no_kk")
_MEMBER_DATA = tuple(f for f in MEMBER_FIELDS if f not in ("no_kk", "nik"))


class ConcurrentChangeError(RuntimeError):
    """A registry row changed between the plan and the merge; the job fails and nothing is published."""


@dataclass(frozen=True)
class Counts:
    households_inserted: int
    households_updated: int
    members_inserted: int
    members_updated: int
    rows_rejected: int


def _post_image(fields: tuple[str, ...], present: frozenset[str], staged: str, stored: str) -> dict[str, str]:
    """A field's value after the import: the file's when its column is present, else the stored one
    (an absent column leaves a field as it is; a new record gets the default)."""
    image = {}
    for field in fields:
        if field in present:
            image[field] = f"{staged}.{field}"
        elif field in BOOLEAN_FIELDS:
            image[field] = f"COALESCE({stored}.{field}, false)"
        else:
            image[field] = f"{stored}.{field}"
    return image


def _in_scope(column: str) -> str:
    return f"({column} = :scope OR {column} LIKE :scope_subtree)"


def refresh_registry_statistics(connection: Connection) -> None:
    """Join order depends on the registry's size: right after a large import its statistics still describe
    the empty tables until autovacuum catches up, and the plan's joins go quadratic. The runner calls this
    on its control connection while the files are parsed (the registry's committed state is all it reads),
    the plan again in case that did not happen."""
    stale = connection.execute(text("""
        SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'targeting'
        AND relname IN ('household', 'member') AND n_mod_since_analyze > 0.2 * greatest(n_live_tup, 1000)
    """)).scalars().all()
    for name in stale:
        connection.exec_driver_sql(f"ANALYZE targeting.{name}")


class Loader:
    def __init__(self, connection: Connection, *, job_id: UUID, client_id: str, scope: str) -> None:
        self.connection = connection
        self.params = {"job": job_id, "client": client_id, "scope": scope, "scope_subtree": scope + ".%"}
        self.staged = dict.fromkeys(FileKind, 0)  # rows COPYed into each staging table

    def create_staging(self) -> None:
        # Before the first temporary table: staging and plans stay in this session's memory, joins in RAM.
        # Hash joins may take 1 GB (4 x work_mem): a re-import's member plan hashes 3.45 M staged rows against
        # the registry, which at 512 MB spilled to disk in two batches (measured: plan and head check 7 s of
        # 38 s slower at provincial scale). One import runs at a time (RUN_LOCK); its session ends with it.
        for setting in ("temp_buffers = '512MB'", "work_mem = '256MB'", "maintenance_work_mem = '256MB'",
                        "hash_mem_multiplier = 4"):
            self.connection.exec_driver_sql(f"SET {setting}")
        self.connection.exec_driver_sql(_STAGING_DDL)

    @contextmanager
    def copy(self, kind: FileKind) -> Iterator[Any]:
        table, columns = STAGING[kind]
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                yield copy
            self.staged[kind] += cursor.rowcount

    def copy_problems(self, path: Path) -> None:
        raw = self.connection.connection.driver_connection
        statement = "COPY import_problem_stage FROM STDIN (FORMAT csv, FORCE_NOT_NULL (column_name))"
        with raw.cursor() as cursor, cursor.copy(statement) as copy, path.open("rb") as handle:  # type: ignore[union-attr]
            while chunk := handle.read(1 << 20):
                copy.write(chunk)

    # --- plan -------------------------------------------------------------------------------------

    def plan(self, present: dict[FileKind, frozenset[str]]) -> None:
        run = self.connection.execute
        self._analyze("import_household", "import_member")
        refresh_registry_statistics(self.connection)  # usually done already, while the files were parsed
        image = _post_image(_HOUSEHOLD_DATA, present[FileKind.households], "s", "h")
        run(text(f"""
            CREATE TEMP TABLE household_plan ON COMMIT DROP AS
            SELECT s.line, s.no_kk, h.id AS target_id, COALESCE(h.id, s.new_id) AS id,
                   CASE WHEN s.line > earliest.line THEN 'duplicate_no_kk'
                        WHEN h.id IS NOT NULL AND NOT {_in_scope('h.region_code')} THEN 'no_kk_taken'
                   END AS error,
                   {', '.join(f'{expr} AS {f}' for f, expr in image.items())},
                   COALESCE(h.version + 1, 1) AS version,
                   h.id IS NOT NULL AND ({', '.join(image.values())})
                       IS DISTINCT FROM ({', '.join(f'h.{f}' for f in image)}) AS changed,
                   h.id IS NOT NULL AND {image['region_code']} IS DISTINCT FROM h.region_code AS region_moved
            FROM import_household s
            LEFT JOIN (SELECT no_kk, min(line) AS line FROM import_household WHERE NOT refused GROUP BY no_kk
                       HAVING count(*) > 1) earliest ON earliest.no_kk = s.no_kk
            LEFT JOIN targeting.household h ON h.no_kk = s.no_kk AND h.status = 'active'
            WHERE NOT s.refused
        """), self.params)
        self._analyze("household_plan")
        self._refuse_ambiguous_matches("household_plan", "import_household WHERE NOT refused")
        image = _post_image(_MEMBER_DATA, present[FileKind.members], "s", "m")
        holder_region = "(SELECT g.region_code FROM targeting.household g WHERE g.id = m.household_id)"
        # Whether the households file lists the row's family at all, asked only of rows whose family has no
        # accepted households row: a hashed subplan is built on first use, so a file whose families all
        # stand (a re-import) never builds it.
        listed = "s.no_kk IN (SELECT no_kk FROM import_household)"
        planned = run(text(f"""
            CREATE TEMP TABLE member_plan ON COMMIT DROP AS
            SELECT s.line, s.nik, m.id AS target_id, COALESCE(m.id, s.new_id) AS id,
                   CASE WHEN s.line > earliest.line THEN 'duplicate_nik'
                        WHEN hp.id IS NULL AND {listed} THEN 'family_refused'
                        WHEN hp.id IS NULL AND family.id IS NULL THEN 'unknown_family'
                        -- The NIK's current family is looked up only when it is not the family this row
                        -- joins (that one is in scope already): no join with every household on re-imports.
                        WHEN m.id IS NOT NULL AND m.household_id IS DISTINCT FROM COALESCE(hp.id, family.id)
                             AND NOT {_in_scope(holder_region)}
                             THEN 'nik_taken'
                   END AS error,
                   COALESCE(hp.id, family.id) AS household_id,
                   COALESCE(hp.region_code, family.region_code) AS region_code,
                   {', '.join(f'{expr} AS {f}' for f, expr in image.items())},
                   s.data_quality, COALESCE(m.version + 1, 1) AS version,
                   m.id IS NOT NULL AND (COALESCE(hp.id, family.id), s.data_quality, {', '.join(image.values())})
                       IS DISTINCT FROM (m.household_id, m.data_quality, {', '.join(f'm.{f}' for f in image)})
                       AS changed
            FROM import_member s
            -- Only repeated NIKs are joined (as for No. KKs above): a hash of a few keys, not of millions.
            LEFT JOIN (SELECT nik, min(line) AS line FROM import_member GROUP BY nik HAVING count(*) > 1) earliest
                 ON earliest.nik = s.nik
            LEFT JOIN household_plan hp ON hp.no_kk = s.no_kk AND hp.error IS NULL
            LEFT JOIN targeting.household family ON hp.id IS NULL AND family.no_kk = s.no_kk AND NOT {listed}
                 AND family.status = 'active' AND {_in_scope('family.region_code')}
            LEFT JOIN targeting.member m ON m.nik = s.nik AND m.status = 'active'
        """), self.params).rowcount
        self._analyze("member_plan")
        if planned != self.staged[FileKind.members]:  # counted as they were planned and staged: no scans
            self._refuse_ambiguous_matches("member_plan", "import_member")
        self._check_heads()

    def _analyze(self, *tables: str) -> None:
        for table in tables:
            self.connection.exec_driver_sql(f"ANALYZE {table}")

    def _refuse_ambiguous_matches(self, plan: str, staging: str) -> None:
        """The partial unique indexes allow one active row per No. KK and per NIK, so a row matches at most
        one record and a plan holds one row per staged row. Should those indexes ever be missing, a row
        with several matches is refused instead of updating one of them at random (households before the
        member plan is built, so members of such a family are refused with it)."""
        planned, staged = self.connection.execute(text(
            f"SELECT (SELECT count(*) FROM {plan}), (SELECT count(*) FROM {staging})")).one()
        if planned != staged:
            self.connection.execute(text(f"""
                UPDATE {plan} SET error = 'ambiguous_match'
                WHERE line IN (SELECT line FROM {plan} GROUP BY line HAVING count(*) > 1)
            """))

    def _check_heads(self) -> None:
        run = self.connection.execute
        # Heads after the import: the file's head rows plus the family's registry heads it leaves alone.
        run(text("""
            WITH file_heads AS (
                SELECT line, household_id, row_number() OVER (PARTITION BY household_id ORDER BY line) AS k
                FROM member_plan WHERE error IS NULL AND relationship = 'head'
            ), kept AS (
                SELECT m.household_id, count(*) AS n FROM targeting.member m
                WHERE m.status = 'active' AND m.relationship = 'head'
                  AND m.household_id IN (SELECT household_id FROM file_heads)
                  AND NOT EXISTS (SELECT 1 FROM member_plan p WHERE p.target_id = m.id AND p.error IS NULL)
                GROUP BY m.household_id
            )
            UPDATE member_plan p SET error = 'head_count'
            FROM file_heads f LEFT JOIN kept ON kept.household_id = f.household_id
            WHERE p.line = f.line AND f.k + COALESCE(kept.n, 0) > 1
        """))
        run(text("""
            UPDATE household_plan hp SET error = 'head_count'
            WHERE hp.error IS NULL AND hp.target_id IS NULL AND NOT EXISTS (
                SELECT 1 FROM member_plan p WHERE p.household_id = hp.id AND p.error IS NULL
                AND p.relationship = 'head')
        """))
        run(text("""
            UPDATE member_plan p SET error = 'family_refused'
            FROM household_plan hp WHERE p.household_id = hp.id AND hp.error = 'head_count' AND p.error IS NULL
        """))

    # --- publish ----------------------------------------------------------------------------------

    def counts(self) -> Counts:
        """One scan per plan. Rejected lines add up without overlap: a row with problems is either not staged
        (members, unreadable rows) or staged as refused and left out of the plan (households)."""
        row = self.connection.execute(text("""
            SELECT h.inserted, h.updated, m.inserted, m.updated,
                   (SELECT count(*) FROM (SELECT DISTINCT file, line FROM import_problem_stage) r)
                   + h.rejected + m.rejected
            FROM (SELECT count(*) FILTER (WHERE error IS NULL AND target_id IS NULL) AS inserted,
                         count(*) FILTER (WHERE error IS NULL AND changed) AS updated,
                         count(DISTINCT line) FILTER (WHERE error IS NOT NULL) AS rejected
                  FROM household_plan) h,
                 (SELECT count(*) FILTER (WHERE error IS NULL AND target_id IS NULL) AS inserted,
                         count(*) FILTER (WHERE error IS NULL AND changed) AS updated,
                         count(DISTINCT line) FILTER (WHERE error IS NOT NULL) AS rejected
                  FROM member_plan) m
        """)).one()
        return Counts(*row)

    def merge(self, counts: Counts) -> None:
        """Each statement runs only when the plan's counts say it has rows to write: a re-import of unchanged
        files then skips the scans of its plans."""
        def run(statement: Any, rows: int) -> int:
            return self.connection.execute(statement).rowcount if rows else 0

        h_fields = ", ".join(_HOUSEHOLD_DATA)
        run(text(f"""
            INSERT INTO targeting.household (id, no_kk, {h_fields}, status, source, version, created_at, updated_at)
            SELECT id, no_kk, {h_fields}, 'active', 'import', 1, now(), now() FROM household_plan
            WHERE error IS NULL AND target_id IS NULL
        """), counts.households_inserted)
        updated = run(text(f"""
            UPDATE targeting.household h SET ({h_fields}, version, updated_at) = ({', '.join(
                f'p.{f}' for f in _HOUSEHOLD_DATA)}, p.version, now())
            FROM household_plan p
            WHERE h.id = p.target_id AND p.error IS NULL AND p.changed AND h.version = p.version - 1
        """), counts.households_updated)
        m_fields = ", ".join(_MEMBER_DATA)
        run(text(f"""
            INSERT INTO targeting.member (id, household_id, nik, {m_fields}, data_quality, status, version,
                                          created_at, updated_at)
            SELECT id, household_id, nik, {m_fields}, data_quality, 'active', 1, now(), now() FROM member_plan
            WHERE error IS NULL AND target_id IS NULL
        """), counts.members_inserted)
        updated_members = run(text(f"""
            UPDATE targeting.member m SET (household_id, {m_fields}, data_quality, version, updated_at) = (
                p.household_id, {', '.join(f'p.{f}' for f in _MEMBER_DATA)}, p.data_quality, p.version, now())
            FROM member_plan p
            WHERE m.id = p.target_id AND p.error IS NULL AND p.changed AND m.version = p.version - 1
        """), counts.members_updated)
        if (updated, updated_members) != (counts.households_updated, counts.members_updated):
            raise ConcurrentChangeError("Registry records changed while the import ran; nothing was published. "
                                        "Run the import again.")

    def record(self, counts: Counts, columns: dict[FileKind, dict[str, str]]) -> None:
        """The job's problems and its publication, in the data transaction: true exactly when data is."""
        details = " ".join(f"WHEN :code_{i} THEN :detail_{i}" for i in range(len(PLAN_CODES)))
        texts = {k: v for i, (code, detail) in enumerate(PLAN_CODES.items())
                 for k, v in ((f"code_{i}", code), (f"detail_{i}", detail))}
        h_cols, m_cols = columns[FileKind.households], columns[FileKind.members]
        if counts.rows_rejected:
            self._record_problems(details, texts, h_cols, m_cols)
        self.connection.execute(text("""
            INSERT INTO targeting.import_publication (import_id, households_inserted, households_updated,
                                                      members_inserted, members_updated, rows_rejected)
            VALUES (:job, :hi, :hu, :mi, :mu, :rr)
        """), {**self.params, "hi": counts.households_inserted, "hu": counts.households_updated,
               "mi": counts.members_inserted, "mu": counts.members_updated, "rr": counts.rows_rejected})
        self.connection.execute(text("""
            INSERT INTO targeting.audit_event (client_id, action, record_type, record_ids, request_id, pii_visible,
                                               region_code)
            VALUES (:client, 'import.publish', 'import', ARRAY[CAST(:job AS uuid)], NULL, true, :scope)
        """), self.params)

    def _record_problems(self, details: str, texts: dict[str, str], h_cols: dict[str, str],
                         m_cols: dict[str, str]) -> None:
        self.connection.execute(text(f"""
            INSERT INTO targeting.import_problem (import_id, file, line, "column", code, detail)
            SELECT :job, file, line, column_name, code, detail FROM (
                SELECT file, line, column_name, code, detail FROM import_problem_stage
                UNION ALL
                SELECT 'households', line, :h_no_kk, error, CASE error {details} END
                FROM (SELECT DISTINCT line, error FROM household_plan WHERE error IS NOT NULL) h
                UNION ALL
                SELECT 'members', line, CASE WHEN error IN ('duplicate_nik', 'nik_taken', 'ambiguous_match')
                    THEN :m_nik WHEN error = 'head_count' THEN :m_relationship ELSE :m_no_kk END,
                    error, CASE error {details} END
                FROM (SELECT DISTINCT line, error FROM member_plan WHERE error IS NOT NULL) m
            ) problems ORDER BY file, line, column_name
        """), {**self.params, **texts, "h_no_kk": h_cols.get("no_kk", "no_kk"), "m_nik": m_cols.get("nik", "nik"),
               "m_no_kk": m_cols.get("no_kk", "no_kk"), "m_relationship": m_cols.get("relationship", "relationship")})

    def append_feed(self, counts: Counts) -> None:
        """The last statements before commit, under the feed lock (feed.repository): seq order = commit order.

        Households' entries go first, then members' (a mirror meets a family before its members), each as one
        INSERT ... SELECT in plan order: a single statement would need ORDER BY, i.e. sorting gigabytes of
        jsonb at provincial scale while the lock is held. An import that changed nothing appends nothing and
        takes no lock; a family that moved is an updated household, so members are re-announced only then.
        """
        households = counts.households_inserted + counts.households_updated
        if not households and not counts.members_inserted + counts.members_updated:
            return
        fixed = {"status": "'active'", "inactive_reason": "NULL"}
        household = household_record_sql(lambda f: fixed.get(f, f"p.{f}"))
        member = member_record_sql(lambda f: fixed.get(f, f"p.{f}"))
        moved = member_record_sql(lambda f: "hp.region_code" if f == "region_code" else f"m.{f}")
        insert = ("INSERT INTO targeting.registry_change (type, entity_id, household_id, region_code, data, "
                  "client_id, import_id) ")
        self.connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
        if households:
            self.connection.execute(text(insert + f"""
                SELECT CASE WHEN p.target_id IS NULL THEN 'household.created' ELSE 'household.updated' END,
                       p.id, p.id, p.region_code, {household}, :client, :job
                FROM household_plan p WHERE p.error IS NULL AND (p.target_id IS NULL OR p.changed)
            """), self.params)
        self.connection.execute(text(insert + f"""
            SELECT CASE WHEN p.target_id IS NULL THEN 'member.created' ELSE 'member.updated' END,
                   p.id, p.household_id, p.region_code, {member}, :client, :job
            FROM member_plan p WHERE p.error IS NULL AND (p.target_id IS NULL OR p.changed)
            UNION ALL
            -- Members are mirrored with their family's region: a family that moved re-announces them.
            SELECT 'member.updated', m.id, m.household_id, hp.region_code, {moved}, :client, :job
            FROM household_plan hp JOIN targeting.member m ON m.household_id = hp.id AND m.status = 'active'
            WHERE hp.error IS NULL AND hp.region_moved AND NOT EXISTS (
                SELECT 1 FROM member_plan p WHERE p.id = m.id AND p.error IS NULL
                AND (p.target_id IS NULL OR p.changed))
        """), self.params)
