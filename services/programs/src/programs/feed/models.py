"""The feed_entry outbox table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from programs.database import Base


class FeedEventType(StrEnum):
    agency_created = "agency.created"
    agency_updated = "agency.updated"
    partner_created = "partner.created"
    program_created = "program.created"
    program_updated = "program.updated"
    enrollment_created = "enrollment.created"
    delivery_created = "delivery.created"
    spending_recorded = "spending.recorded"


class FeedEntry(Base):
    __tablename__ = "feed_entry"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(13))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
