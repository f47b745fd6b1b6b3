"""Wire format of import jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from targeting.imports.models import JobStatus


class ImportAccepted(BaseModel):
    id: uuid.UUID
    status: JobStatus


class ImportFile(BaseModel):
    name: str = Field(description="The uploaded file's name.")
    bytes: int


class ImportRead(BaseModel):
    id: uuid.UUID
    status: JobStatus = Field(description="queued | running | succeeded | failed. Rows become visible only when a "
                              "job succeeds, all at once; a failed job published nothing.")
    phase: str | None = Field(description="While running: waiting (for another import), parsing, checking, "
                              "publishing.")
    client_id: str
    files: dict[str, ImportFile]
    rows_total: int | None = Field(description="Data rows of both files (header excluded).")
    rows_processed: int
    households_inserted: int
    households_updated: int
    members_inserted: int
    members_updated: int
    rows_rejected: int = Field(description="Rows refused; GET .../errors says why, per line and column.")
    failure_reason: str | None = Field(description="Why a failed job failed, or why a queued one was re-queued.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def import_read(job: Any) -> ImportRead:
    return ImportRead(
        id=job.id, status=job.status, phase=job.phase, client_id=job.client_id, files=job.files,
        rows_total=job.rows_total, rows_processed=job.rows_processed, households_inserted=job.households_inserted,
        households_updated=job.households_updated, members_inserted=job.members_inserted,
        members_updated=job.members_updated, rows_rejected=job.rows_rejected, failure_reason=job.failure_reason,
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )
