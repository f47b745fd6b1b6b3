"""The agency table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from kit.ids import uuid7
from programs.database import Base


class AgencyLevel(StrEnum):
    province = "province"
    regency = "regency"


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(10))
    # Fixed at creation: programmes, their visibility and the reporting mirror all hang on it.
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
