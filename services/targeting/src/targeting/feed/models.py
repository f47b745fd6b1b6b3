"""registry_change: the ordered, append-only change log behind GET /api/v1/feeds/registry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base


class RegistryChange(Base):
    __tablename__ = "registry_change"
    __table_args__ = (Index("ix_registry_change_region_code_seq", "region_code", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(String(13, collation="C"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    client_id: Mapped[str | None] = mapped_column(String(64))
    change_request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    import_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
