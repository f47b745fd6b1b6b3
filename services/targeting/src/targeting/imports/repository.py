"""All SQL on import jobs: the per-request reads (async session) and the job row's life (sync connections
of the job runner and of recovery). Registry data is written by loader.py, never here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.households.models import Household
from targeting.households.repository import in_region
from targeting.imports.models import ImportJob, ImportProblem, ImportPublication, JobStatus, Runner

# Session-level advisory locks in the two-int4 key space (the feed lock uses the one-bigint space).
LOCK_CLASS = 0x696D7074  # "impt"
RUN_LOCK = 0  # one import publishes at a time, so each plans against a registry no other import is changing


def job_lock_key(job_id: uuid.UUID) -> int:
    """A job's liveness lock: held by its runner's data connection, so it vanishes with the runner or with
    the database, and recovery knows at once that nobody works on the job any more."""
    return int.from_bytes(job_id.bytes[-4:], "big", signed=True) or 1


class ImportRepository:
    """What HTTP requests need, scoped to the caller's region like every registry query."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job: ImportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def get(self, job_id: uuid.UUID, region: str) -> ImportJob | None:
        return (await self.session.scalars(select(ImportJob).where(
            ImportJob.id == job_id, in_region(ImportJob.region, region)))).first()

    async def list(self, region: str, *, before: uuid.UUID | None, limit: int) -> Sequence[ImportJob]:
        query = select(ImportJob).where(in_region(ImportJob.region, region))
        if before is not None:
            query = query.where(ImportJob.id < before)
        return (await self.session.scalars(query.order_by(ImportJob.id.desc()).limit(limit))).all()

    async def problems(self, job_id: uuid.UUID, *, batch: int = 5000) -> AsyncIterator[Sequence[ImportProblem]]:
        after = 0
        while True:
            rows = (await self.session.scalars(
                select(ImportProblem).where(ImportProblem.import_id == job_id, ImportProblem.id > after)
                .order_by(ImportProblem.id).limit(batch))).all()
            if not rows:
                return
            yield rows
            after = rows[-1].id


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    client_id: str
    region: str
    runner: str
    files: dict[str, Any]
    spool_dir: str | None
    attempts: int


def _claimed(row: Any) -> ClaimedJob:
    return ClaimedJob(row.id, row.client_id, row.region, row.runner, row.files, row.spool_dir, row.attempts)


class JobStore:
    """The job row seen from a runner or from recovery, on a sync connection in autocommit mode for
    control statements (each its own transaction, never the data's)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def hold(self, job_id: uuid.UUID) -> None:
        self.connection.execute(text("SELECT pg_advisory_lock(:c, :k)"), {"c": LOCK_CLASS, "k": job_lock_key(job_id)})

    def hold_run_lock(self) -> None:
        self.connection.execute(text("SELECT pg_advisory_lock(:c, :k)"), {"c": LOCK_CLASS, "k": RUN_LOCK})

    def try_run_lock(self) -> bool:
        return bool(self.connection.execute(text("SELECT pg_try_advisory_lock(:c, :k)"),
                                            {"c": LOCK_CLASS, "k": RUN_LOCK}).scalar_one())

    def release_run_lock(self) -> None:
        self.connection.execute(text("SELECT pg_advisory_unlock(:c, :k)"), {"c": LOCK_CLASS, "k": RUN_LOCK})

    def create(self, job_id: uuid.UUID, *, client_id: str, region: str, runner: Runner, files: dict[str, Any],
               spool_dir: str | None = None) -> None:
        self.connection.execute(insert(ImportJob).values(
            id=job_id, client_id=client_id, region=region, runner=runner.value, status=JobStatus.queued.value,
            files=files, spool_dir=spool_dir))

    def claim_next(self) -> ClaimedJob | None:
        """The oldest queued upload, locked so that no other worker takes it while this one starts it."""
        row = self.connection.execute(
            select(ImportJob).where(ImportJob.status == JobStatus.queued.value, ImportJob.runner == Runner.api.value)
            .order_by(ImportJob.created_at).limit(1).with_for_update(skip_locked=True)).first()
        return None if row is None else _claimed(row)

    def start(self, job_id: uuid.UUID, rows_total: int) -> None:
        self.connection.execute(update(ImportJob).where(ImportJob.id == job_id).values(
            status=JobStatus.running.value, phase="waiting", rows_total=rows_total, rows_processed=0,
            attempts=ImportJob.attempts + 1, started_at=func.now(), heartbeat_at=func.now(), failure_reason=None))

    def beat(self, job_id: uuid.UUID, *, phase: str, rows_processed: int, rows_total: int | None = None) -> None:
        values: dict[str, Any] = {"phase": phase, "rows_processed": rows_processed, "heartbeat_at": func.now()}
        if rows_total is not None:
            values["rows_total"] = rows_total
        self.connection.execute(update(ImportJob).where(
            ImportJob.id == job_id, ImportJob.status == JobStatus.running.value).values(**values))

    def succeed(self, job_id: uuid.UUID) -> None:
        """Copies the outcome the publish transaction recorded onto the job row."""
        def published(column: Any) -> Any:
            return select(column).where(ImportPublication.import_id == job_id).scalar_subquery()

        self.connection.execute(
            update(ImportJob).where(ImportJob.id == job_id).values(
                status=JobStatus.succeeded.value, phase=None, finished_at=func.now(), failure_reason=None,
                rows_processed=func.coalesce(ImportJob.rows_total, ImportJob.rows_processed),
                households_inserted=published(ImportPublication.households_inserted),
                households_updated=published(ImportPublication.households_updated),
                members_inserted=published(ImportPublication.members_inserted),
                members_updated=published(ImportPublication.members_updated),
                rows_rejected=published(ImportPublication.rows_rejected)))

    def fail(self, job_id: uuid.UUID, reason: str, *, problems: Sequence[tuple[str, int, str, str, str]] = (),
             requeue: bool = False) -> None:
        if problems:
            self.connection.execute(insert(ImportProblem), [
                {"import_id": job_id, "file": f, "line": line, "column": column, "code": code, "detail": detail}
                for f, line, column, code, detail in problems])
        values: dict[str, Any] = {"phase": None, "failure_reason": reason}
        if requeue:
            values.update(status=JobStatus.queued.value)
        else:
            values.update(status=JobStatus.failed.value, finished_at=func.now(),
                          rows_rejected=len({(p[0], p[1]) for p in problems}))
        self.connection.execute(update(ImportJob).where(
            ImportJob.id == job_id, ImportJob.status.in_([JobStatus.queued.value, JobStatus.running.value])
        ).values(**values))

    # --- recovery ---------------------------------------------------------------------------------

    def unfinished(self) -> Sequence[Any]:
        """Jobs a runner should be holding: running ones, and CLI jobs waiting for their turn."""
        return self.connection.execute(select(
            ImportJob.id, ImportJob.client_id, ImportJob.region, ImportJob.runner, ImportJob.files,
            ImportJob.spool_dir, ImportJob.attempts, ImportJob.heartbeat_at,
            func.now().label("now"),
        ).where(or_(ImportJob.status == JobStatus.running.value,
                    (ImportJob.status == JobStatus.queued.value) & (ImportJob.runner == Runner.cli.value)))).all()

    def runner_alive(self, job_id: uuid.UUID) -> bool:
        """Whether a runner holds the job's lock; probing takes the lock when it is free, so release it."""
        free = self.connection.execute(text("SELECT pg_try_advisory_lock(:c, :k)"),
                                       {"c": LOCK_CLASS, "k": job_lock_key(job_id)}).scalar_one()
        if free:
            self.connection.execute(text("SELECT pg_advisory_unlock(:c, :k)"),
                                    {"c": LOCK_CLASS, "k": job_lock_key(job_id)})
        return not free

    def stop_runner(self, job_id: uuid.UUID) -> None:
        """End the sessions holding a hung job's lock: its uncommitted data goes with them."""
        self.connection.execute(text("""
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND classid = CAST(:c AS oid) AND objid = CAST(:k AS oid)
              AND objsubid = 2 AND granted
        """), {"c": LOCK_CLASS, "k": job_lock_key(job_id) & 0xFFFFFFFF})

    def published(self, job_id: uuid.UUID) -> bool:
        return self.connection.execute(select(ImportPublication.import_id).where(
            ImportPublication.import_id == job_id)).first() is not None


def heartbeat_age(row: Any) -> float | None:
    heartbeat: datetime | None = row.heartbeat_at
    return None if heartbeat is None else (row.now - heartbeat).total_seconds()


def problems_of(connection: Connection, job_id: uuid.UUID) -> Any:
    """A job's problems in file and line order, streamed (for `sinergi import --errors`)."""
    return connection.execution_options(stream_results=True, yield_per=10_000).execute(
        select(ImportProblem.file, ImportProblem.line, ImportProblem.column, ImportProblem.code,
               ImportProblem.detail).where(ImportProblem.import_id == job_id).order_by(ImportProblem.id))


def registry_is_empty(connection: Connection) -> bool:
    return connection.execute(select(Household.id).limit(1)).first() is None
