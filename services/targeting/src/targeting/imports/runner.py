"""Running one import job, the same way for the service's worker and for `sinergi import`.

Two connections: the *data* connection holds the job's locks and does all registry work in ONE
transaction (staging, plan, merge, feed), so a job that dies, is killed or loses its database leaves
nothing behind; the *control* connection (autocommit) keeps the job row's progress, heartbeat and
outcome, so the row tells the truth whatever happens to the data.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool

from kit.clock import today_jakarta
from kit.database import sqlalchemy_url
from kit.ids import uuid7_sequence
from targeting.imports.dialects import FileKind
from targeting.imports.loader import ConcurrentChangeError, Counts, Loader, refresh_registry_statistics
from targeting.imports.partition import CHILD_IDS, SPLIT_BYTES, ChildParse, Part
from targeting.imports.reader import CsvFile, count_lines, split_point
from targeting.imports.repository import JobStore
from targeting.imports.rows import Context, RowValidator, resolve_header, stage_rows
from targeting.regions.catalog import current_villages, prefixes_of, regency_codes

log = logging.getLogger("targeting.imports")

Progress = Callable[[str, int, int | None], None]  # phase, rows processed, rows total


def import_engine(database_url: str) -> Engine:
    """Connections for import jobs: no statement timeout (a province-wide publish runs for minutes)."""
    return create_engine(sqlalchemy_url(database_url), poolclass=NullPool, connect_args={
        "application_name": "sinergi-import", "options": "-c statement_timeout=0 -c timezone=UTC",
        "connect_timeout": 5})


class JobRefusedError(Exception):
    """The files cannot be imported at all (header, missing files): the job fails with these problems."""

    def __init__(self, reason: str, problems: list[tuple[str, int, str, str, str]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or []


class JobAbortedError(Exception):
    """The service is stopping: the job rolls back and waits in the queue for the next start."""


@dataclass
class Outcome:
    status: str
    counts: Counts | None = None
    reason: str | None = None


@dataclass
class _State:
    """Progress the heartbeat reports; plain attributes, written by the runner, read by the heartbeat."""

    phase: str = "waiting"
    processed: int = 0
    total: int | None = None


class _Control:
    """The control connection, shared by the runner and its heartbeat thread."""

    def __init__(self, engine: Engine, job_id: uuid.UUID, interval: float) -> None:
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.state = _State()
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"import-heartbeat-{job_id}", daemon=True)

    def store(self) -> JobStore:
        if self._connection is None or self._connection.closed or self._connection.invalidated:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return JobStore(self._connection)

    def call(self, action: Callable[[JobStore], Any], *, attempts: int = 1) -> None:
        for attempt in range(attempts):
            with self._lock:
                try:
                    action(self.store())
                    return
                except sa_exc.DBAPIError:
                    self._connection = None
                    if attempt == attempts - 1:
                        raise
            self._stop.wait(1.0)

    def start(self) -> None:
        self._thread.start()

    def _beat(self) -> None:
        state = self.state
        while not self._stop.wait(self.interval):
            try:
                self.call(lambda s: s.beat(self.job_id, phase=state.phase, rows_processed=state.processed,
                                           rows_total=state.total))
            except sa_exc.DBAPIError:
                log.warning("import heartbeat failed", extra={"import_id": str(self.job_id)})

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._connection is not None:
            self._connection.close()


class ImportRun:
    """One attempt at one job. `data` must already hold the job's lock and the run lock."""

    def __init__(self, engine: Engine, data: Connection, *, job_id: uuid.UUID, client_id: str, scope: str,
                 files: dict[FileKind, Path], progress: Progress | None = None,
                 abort: threading.Event | None = None, heartbeat_seconds: float = 5.0,
                 split_bytes: int = SPLIT_BYTES) -> None:
        self.data, self.job_id, self.scope, self.files = data, job_id, scope, files
        self.loader = Loader(data, job_id=job_id, client_id=client_id, scope=scope)
        self.control = _Control(engine, job_id, heartbeat_seconds)
        self.progress, self.abort = progress, abort or threading.Event()
        self.split_bytes = split_bytes
        self.backend_pid: int = data.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]

    def execute(self) -> Outcome:
        self.control.start()
        try:
            counts = self._run()
        except Exception as exc:
            if not (isinstance(exc, JobAbortedError) or self.abort.is_set()):
                return self._failed(exc)
            self._rollback()
            self.control.call(lambda s: s.fail(self.job_id, "The service stopped while the job ran; it runs again "
                                                            "at the next start.", requeue=True), attempts=3)
            return Outcome("queued", reason="aborted")
        finally:
            self.control.close()
        self.control.call(lambda s: s.succeed(self.job_id), attempts=5)
        return Outcome("succeeded", counts=counts)

    def _failed(self, exc: Exception) -> Outcome:
        self._rollback()
        reason, problems = self._reason(exc)
        try:
            self.control.call(lambda s: s.fail(self.job_id, reason, problems=problems), attempts=5)
        except sa_exc.DBAPIError:
            log.warning("import outcome not recorded; recovery will end the job", extra={"import_id": str(self.job_id)})
        return Outcome("failed", reason=reason)

    def _phase(self, phase: str) -> None:
        self.control.state.phase = phase
        if self.progress is not None:
            self.progress(phase, self.control.state.processed, self.control.state.total)
        if self.abort.is_set():
            raise JobAbortedError

    def _run(self) -> Counts:
        for path in self.files.values():
            if not path.is_file():
                raise JobRefusedError("The job's files are no longer available; upload them again.")
        state = self.control.state
        state.total = sum(count_lines(path) for path in self.files.values())
        self.control.call(lambda s: s.start(self.job_id, state.total or 0))
        self.statistics = threading.Thread(target=self._refresh_statistics, name=f"import-analyze-{self.job_id}",
                                           daemon=True)
        self.statistics.start()
        try:
            return self._import()
        finally:
            self.statistics.join()

    def _refresh_statistics(self) -> None:
        """On the control connection, beside the parse; the plan repeats the check if this fails."""
        try:
            self.control.call(lambda s: refresh_registry_statistics(s.connection))
        except Exception:  # an optimisation, never a reason to fail the job
            log.warning("import could not refresh registry statistics", extra={"import_id": str(self.job_id)})

    def _import(self) -> Counts:
        state = self.control.state
        self._phase("parsing")
        context = Context(
            regency_prefixes=prefixes_of(self.data.execute(regency_codes()).scalars()),
            villages=frozenset(self.data.execute(current_villages()).scalars()),
            scope=self.scope, today=today_jakarta())
        self.loader.create_staging()
        present: dict[FileKind, frozenset[str]] = {kind: frozenset() for kind in FileKind}
        columns: dict[FileKind, dict[str, str]] = {kind: {} for kind in FileKind}
        refused: list[tuple[str, int, str, str, str]] = []
        with tempfile.TemporaryDirectory(prefix="sinergi-import-") as scratch:
            spool = Path(scratch) / "problems.csv"
            with spool.open("w", newline="", encoding="utf-8") as handle:
                problems = csv.writer(handle)
                for kind in FileKind:
                    if kind in self.files:
                        staged = self._stage(kind, context, problems, Path(scratch))
                        if isinstance(staged, list):
                            refused += staged
                        else:
                            present[kind], columns[kind] = staged
            if refused:
                files = sorted({p[0] for p in refused})
                raise JobRefusedError(f"The header of the {' and '.join(files)} file(s) cannot be used; "
                                      "see the errors.", refused)
            state.total = state.processed
            self._phase("checking")
            self.loader.copy_problems(spool)
        self.statistics.join()
        self.loader.plan(present)
        counts = self.loader.counts()
        self._phase("publishing")
        self.loader.merge(counts)
        self.loader.record(counts, columns)
        self.loader.append_feed(counts)
        self.data.commit()
        return counts

    def _stage(self, kind: FileKind, context: Context, problems: Any, scratch: Path
               ) -> tuple[frozenset[str], dict[str, str]] | list[tuple[str, int, str, str, str]]:
        path = self.files[kind]
        with CsvFile(path) as source:
            header = resolve_header(kind, source.header)
            if header.problems:
                return [(kind.value, 1, column, code, detail) for column, code, detail in header.problems]
            validator = RowValidator(kind, header, context)
            split = split_point(path, self.split_bytes)
            child = None if split is None else ChildParse(Part(
                path, split[0], split[1], source.delimiter, kind, source.header, context,
                scratch / f"{kind.value}-rows.txt", scratch / f"{kind.value}-problems.csv", os.getpid()))
            try:
                self._copy(kind, source, validator, problems, split, child)
            finally:
                if child is not None:
                    child.stop()
        return validator.present, {c.field: name for _, name, c in header.columns if c.field is not None}

    def _copy(self, kind: FileKind, source: CsvFile, validator: RowValidator, problems: Any,
              split: tuple[int, int] | None, child: ChildParse | None) -> None:
        """Stages a file's rows; with a split, this process reads the first part while `child` reads the
        second, unless the first part's last record runs across the split (then this process reads on)."""
        width, state = len(source.header), self.control.state

        def parsed(base: int) -> Callable[[int], None]:
            def report(count: int) -> None:
                state.processed = base + count
                self._phase("parsing")
            return report

        with self.loader.copy(kind) as copy:
            start = state.processed
            read = stage_rows(kind, source.records(split[1] if split else None), validator, width, copy.write,
                              problems, uuid7_sequence(), parsed(start))
            state.processed = start + read
            if split is None or not source.stopped_at_split:
                return
            rows = child.wait(lambda: self._phase("parsing")) if child is not None else None
            if rows is not None:
                assert child is not None
                child.stream(copy.write, problems)
                state.processed += rows
                return
            log.warning("import child parse failed; parsing its part here", extra={"import_id": str(self.job_id)})
            with CsvFile(source.path, start=(split[0], split[1], source.delimiter)) as rest:
                start = state.processed
                read = stage_rows(kind, rest.records(), validator, width, copy.write, problems,
                                  uuid7_sequence(CHILD_IDS), parsed(start))
                state.processed = start + read

    def _rollback(self) -> None:
        try:
            self.data.rollback()
        except sa_exc.DBAPIError:
            self.data.invalidate()

    def _reason(self, exc: Exception) -> tuple[str, list[tuple[str, int, str, str, str]]]:
        if isinstance(exc, JobRefusedError):
            return exc.reason, exc.problems
        if isinstance(exc, ConcurrentChangeError):
            return str(exc), []
        if isinstance(exc, sa_exc.IntegrityError):
            return ("A concurrent change to the registry conflicted with this import; nothing was published. "
                    "Run it again."), []
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            return "The database connection was lost; nothing from this job was published.", []
        log.exception("import failed", extra={"import_id": str(self.job_id)})
        return "An unexpected error stopped the job; nothing was published (see the service log).", []
