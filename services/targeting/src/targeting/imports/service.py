"""Import use cases for HTTP callers: accept an upload as a queued job, read jobs and their problems."""

from __future__ import annotations

import csv
import io
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.idempotency import fingerprint, run_idempotent
from kit.ids import uuid7
from targeting.audit.repository import AuditRepository
from targeting.idempotency.models import IdempotencyKey
from targeting.imports.errors import ImportNotFoundError
from targeting.imports.models import ImportJob, JobStatus, Runner
from targeting.imports.repository import ImportRepository
from targeting.imports.upload import receive_files
from targeting.settings import TargetingSettings

CSV_HEADER = ("file", "line", "column", "code", "detail")


class ImportService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: TargetingSettings) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.imports = ImportRepository(session)
        self.audit = AuditRepository(session)

    async def accept(self, stream: AsyncIterator[bytes], content_type: str | None, idempotency_key: str | None,
                     path: str) -> tuple[JSONResponse, bool]:
        """Spool the files, then queue a job for them (or replay the first answer to a repeated key)."""
        job_id = uuid7()
        directory = self.settings.import_spool_dir / str(job_id)
        files = await receive_files(stream, content_type, directory)
        digests = {kind.value: spooled.digest.hexdigest() for kind, spooled in files.items()}
        created = False

        async def produce() -> tuple[int, Any, dict[str, str]]:
            nonlocal created
            job = ImportJob(id=job_id, client_id=self.principal.client_id, region=self.principal.region,
                            runner=Runner.api.value, status=JobStatus.queued.value, spool_dir=str(directory),
                            files={kind.value: {"name": f.name, "bytes": f.size} for kind, f in files.items()})
            await self.imports.add(job)
            await self.audit.record(self.principal, "import.create", "import", [job_id])
            created = True
            return 202, {"id": str(job_id), "status": JobStatus.queued.value}, {"Location": f"{path}/{job_id}"}

        try:
            response = await run_idempotent(
                self.session, IdempotencyKey, client_id=self.principal.client_id, key=idempotency_key,
                request_fingerprint=fingerprint("POST", path, digests),
                produce=produce)
        finally:
            if not created:
                await anyio.to_thread.run_sync(lambda: shutil.rmtree(directory, ignore_errors=True))
        return response, created

    async def read(self, job_id: uuid.UUID) -> ImportJob:
        job = await self.imports.get(job_id, self.principal.region)
        if job is None:
            raise ImportNotFoundError(f"No import {job_id}.")
        return job

    async def list(self, *, before: uuid.UUID | None, limit: int) -> Sequence[ImportJob]:
        return await self.imports.list(self.principal.region, before=before, limit=limit)

    async def problems_csv(self, job_id: uuid.UUID, sessions: Callable[[], AsyncSession]) -> AsyncIterator[str]:
        """The job's problems as CSV. Checked here, streamed from a session of its own: the request's
        session is committed and closed before a streaming body is sent."""
        await self.read(job_id)

        async def rows() -> AsyncIterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            async with sessions() as session:
                async for batch in ImportRepository(session).problems(job_id):
                    writer.writerows((p.file, p.line, p.column, p.code, p.detail) for p in batch)
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        return rows()
