"""The partner table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from kit.ids import uuid7
from programs.database import Base


class PartnerKind(StrEnum):
    private_company = "private_company"
    state_enterprise = "state_enterprise"
    ngo = "ngo"
    cooperative = "cooperative"
    other = "other"


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
