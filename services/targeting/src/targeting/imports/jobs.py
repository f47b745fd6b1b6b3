"""Starting and recovering import jobs: the service's worker and `sinergi import` both come through here.

Liveness is a lock, not a clock: a runner's data connection holds its job's advisory lock, so the lock is
free exactly when no process can still publish that job (it exited, was killed, or its database
restarted). The heartbeat only catches a runner that hangs while connected; such a runner's sessions are
ended first, taking its uncommitted data with them.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from kit.ids import uuid7
from targeting.imports.dialects import FileKind
from targeting.imports.models import Runner
from targeting.imports.partition import SPLIT_BYTES
from targeting.imports.repository import JobStore, heartbeat_age
from targeting.imports.runner import ImportRun, Outcome, Progress

log = logging.getLogger("targeting.imports")

INTERRUPTED = ("The process running this job or its database stopped before the job finished; nothing from it "
               "was published.")


@dataclass(frozen=True)
class JobSettings:
    heartbeat_seconds: float = 5.0
    stale_after_seconds: float = 300.0
    max_attempts: int = 3
    split_bytes: int = SPLIT_BYTES  # files from this size on are parsed in two processes (imports.partition)


def spooled_files(spool_dir: str | Path, kinds: list[str]) -> dict[FileKind, Path]:
    return {FileKind(kind): Path(spool_dir) / f"{kind}.csv" for kind in kinds}


def run_next_upload(engine: Engine, settings: JobSettings, *, abort: threading.Event | None = None,
                    started: Callable[[ImportRun], None] | None = None) -> Outcome | None:
    """Claim and run the oldest queued upload. None when nothing waits or another import is running."""
    with engine.connect() as data:
        store = JobStore(data)
        if not store.try_run_lock():
            data.rollback()
            return None
        job = store.claim_next()
        if job is None:
            store.release_run_lock()
            data.commit()
            return None
        store.hold(job.id)
        data.commit()
        assert job.spool_dir is not None
        run = ImportRun(engine, data, job_id=job.id, client_id=job.client_id, scope=job.region,
                        files=spooled_files(job.spool_dir, list(job.files)), abort=abort,
                        heartbeat_seconds=settings.heartbeat_seconds, split_bytes=settings.split_bytes)
        if started is not None:
            started(run)
        outcome = run.execute()
    if outcome.status != "queued":
        shutil.rmtree(job.spool_dir, ignore_errors=True)
    return outcome


def run_local(engine: Engine, files: dict[FileKind, Path], *, client_id: str, region: str,
              settings: JobSettings, progress: Progress | None = None,
              waiting: Callable[[], None] | None = None) -> tuple[uuid.UUID, Outcome]:
    """Run an import in this process (the CLI and `make run`'s demo seed): same job, same table."""
    recover(engine, settings)
    job_id = uuid7()
    meta = {kind.value: {"name": path.name, "bytes": path.stat().st_size} for kind, path in files.items()}
    with engine.connect() as data:
        store = JobStore(data)
        store.hold(job_id)
        data.commit()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as control:
            JobStore(control).create(job_id, client_id=client_id, region=region, runner=Runner.cli, files=meta)
        if not store.try_run_lock():
            if waiting is not None:
                waiting()
            store.hold_run_lock()
        data.commit()
        run = ImportRun(engine, data, job_id=job_id, client_id=client_id, scope=region, files=files,
                        progress=progress, heartbeat_seconds=settings.heartbeat_seconds,
                        split_bytes=settings.split_bytes)
        return job_id, run.execute()


def recover(engine: Engine, settings: JobSettings) -> dict[uuid.UUID, str]:
    """End or re-queue the jobs no runner holds any more; returns what became of each."""
    outcomes: dict[uuid.UUID, str] = {}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        store = JobStore(connection)
        for job in store.unfinished():
            if store.runner_alive(job.id):
                age = heartbeat_age(job)
                if age is None or age < settings.stale_after_seconds:
                    continue
                log.warning("import runner hung; ending its sessions", extra={"import_id": str(job.id)})
                store.stop_runner(job.id)
                if not _released(store, job.id):
                    continue
            if store.published(job.id):
                store.succeed(job.id)
                outcomes[job.id] = "succeeded"
            elif (job.runner == Runner.api.value and job.spool_dir and Path(job.spool_dir).is_dir()
                  and job.attempts < settings.max_attempts):
                store.fail(job.id, INTERRUPTED + " It has been queued to run again.", requeue=True)
                outcomes[job.id] = "queued"
            else:
                store.fail(job.id, INTERRUPTED + " Submit the files again.")
                outcomes[job.id] = "failed"
            if outcomes[job.id] != "queued" and job.spool_dir:
                shutil.rmtree(job.spool_dir, ignore_errors=True)
    return outcomes


def _released(store: JobStore, job_id: uuid.UUID, *, checks: int = 50) -> bool:
    """Wait for ended sessions to let go of the job's lock (their commit, if any, is then visible)."""
    for _ in range(checks):
        if not store.runner_alive(job_id):
            return True
        time.sleep(0.1)
    return False
