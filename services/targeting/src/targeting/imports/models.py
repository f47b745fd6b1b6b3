"""Import jobs, the problems found in their files, and the record of a publish.

`import_job` is written only outside the data transaction (progress, heartbeat, outcome), so it stays
readable and correct whatever happens to the data. `import_publication` is written inside the publish
transaction: it exists exactly when a job's rows became visible, which is how recovery tells a job that
died after its commit from one that died before it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Runner(StrEnum):
    api = "api"  # uploaded over HTTP, run by the service's worker; may be re-queued after a crash
    cli = "cli"  # run in the operator's `sinergi import` process; ends failed if that process dies


class ImportJob(Base):
    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"),
        Index("ix_import_job_region_id", "region", "id"),
        Index("ix_import_job_status", "status", postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(13, collation="C"))
    runner: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10))
    phase: Mapped[str | None] = mapped_column(String(16))
    files: Mapped[dict[str, Any]] = mapped_column(JSONB)
    spool_dir: Mapped[str | None] = mapped_column(Text)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_processed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    households_inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    households_updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    members_inserted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    members_updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rows_rejected: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportProblem(Base):
    """One refused cell or row: what GET /api/v1/imports/{id}/errors serves."""

    __tablename__ = "import_problem"
    __table_args__ = (Index("ix_import_problem_import_id_file_line", "import_id", "file", "line"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_job.id"))
    file: Mapped[str] = mapped_column(String(10))
    line: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)


class ImportPublication(Base):
    __tablename__ = "import_publication"

    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("import_job.id"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    households_inserted: Mapped[int] = mapped_column(Integer)
    households_updated: Mapped[int] = mapped_column(Integer)
    members_inserted: Mapped[int] = mapped_column(Integer)
    members_updated: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
