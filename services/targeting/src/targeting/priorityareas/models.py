"""Official priority-area designations, versioned: a decision replaces the current list of its year and level
inside its region, and the rows it replaces stay, marked with the decision that revoked them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, SmallInteger, String, Uuid, func, text
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base
from targeting.households.models import REGION_COLLATION


class PriorityAreaDecision(Base):
    __tablename__ = "priority_area_decision"
    __table_args__ = (Index("ix_priority_area_decision_year_level", "year", "level"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    level: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str] = mapped_column(String(13, collation=REGION_COLLATION))
    decree: Mapped[str | None] = mapped_column(String(300))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PriorityAreaDesignation(Base):
    __tablename__ = "priority_area_designation"
    __table_args__ = (
        Index("uq_priority_area_designation_current", "year", "level", "region_code", unique=True,
              postgresql_where=text("revoked_by_decision_id IS NULL")),
    )

    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("priority_area_decision.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13, collation=REGION_COLLATION), ForeignKey("region.code"),
                                             primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    level: Mapped[str] = mapped_column(String(10))
    revoked_by_decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("priority_area_decision.id"))
