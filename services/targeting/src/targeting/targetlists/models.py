"""target_list and its frozen households. Rows are written once, at creation, and never changed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base
from targeting.households.models import REGION_COLLATION


class TargetList(Base):
    __tablename__ = "target_list"
    __table_args__ = (Index("ix_target_list_region_code", "region_code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONB)
    region_code: Mapped[str] = mapped_column(String(13, collation=REGION_COLLATION))
    as_of: Mapped[date] = mapped_column(Date)
    households: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    registry_seq: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TargetListHousehold(Base):
    """One frozen household: its region and active-member count as they stood when the list was drawn.

    No foreign keys, deliberately: the rows are written only by the freezing INSERT ... SELECT from existing
    households (never deleted) for a list inserted just before, and per-row key checks would multiply the
    cost of freezing a province-wide list of a million households.
    """

    __tablename__ = "target_list_household"

    target_list_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13, collation=REGION_COLLATION))
    members: Mapped[int] = mapped_column(Integer)
