"""The spending table: one amount per programme and month, replaced when recorded again."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from programs.database import Base


class Spending(Base):
    __tablename__ = "spending"
    __table_args__ = (CheckConstraint("amount_idr >= 0", name="amount_not_negative"),)

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("program.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[str] = mapped_column(String(200))
