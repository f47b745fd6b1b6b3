"""The targeting service's import worker: runs queued uploads one at a time in a thread, recovers the jobs
of dead runners at start and periodically, and hands its running job back to the queue when stopping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

from sqlalchemy import text

from targeting.imports.jobs import JobSettings, recover, run_next_upload
from targeting.imports.runner import ImportRun, import_engine

log = logging.getLogger("targeting.imports")


class ImportWorker:
    def __init__(self, database_url: str, settings: JobSettings, *, poll_seconds: float = 5.0,
                 recover_seconds: float = 60.0) -> None:
        self.engine = import_engine(database_url)
        self.settings = settings
        self.poll_seconds, self.recover_seconds = poll_seconds, recover_seconds
        self._abort = threading.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._current: ImportRun | None = None
        self._recovered_at = 0.0

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        await self.recover()
        self._task = asyncio.create_task(self._loop(), name="import-worker")

    async def stop(self) -> None:
        self._abort.set()
        self._wake.set()
        run = self._current
        if run is not None:
            # A statement of the publish may run for minutes: cancel it; the job goes back to the queue.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._cancel, run.backend_pid)
        if self._task is not None:
            await self._task
        self.engine.dispose()

    def _cancel(self, backend_pid: int) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_cancel_backend(:pid)"), {"pid": backend_pid})

    async def recover(self) -> None:
        self._recovered_at = time.monotonic()
        outcomes = await asyncio.to_thread(recover, self.engine, self.settings)
        for job_id, status in outcomes.items():
            log.info("import recovered", extra={"import_id": str(job_id), "status": status})

    async def run_pending(self) -> int:
        """Run queued uploads until none is left (or another import holds the turn); how many ran."""
        ran = 0
        while not self._abort.is_set():
            outcome = await asyncio.to_thread(run_next_upload, self.engine, self.settings, abort=self._abort,
                                              started=self._started)
            self._current = None
            if outcome is None:
                return ran
            ran += 1
        return ran

    def _started(self, run: ImportRun) -> None:
        self._current = run

    async def _loop(self) -> None:
        while not self._abort.is_set():
            try:
                if time.monotonic() - self._recovered_at > self.recover_seconds:
                    await self.recover()
                await self.run_pending()
            except Exception:
                log.exception("import worker round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()
