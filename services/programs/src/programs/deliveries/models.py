"""The delivery table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Identity, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from programs.database import Base


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (
        CheckConstraint("value_idr >= 0", name="value_not_negative"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("ix_delivery_program_id_id", "program_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("program.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    member_id: Mapped[uuid.UUID | None]
    region_code: Mapped[str] = mapped_column(String(13))
    delivered_on: Mapped[date] = mapped_column(Date)
    value_idr: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    unit: Mapped[str] = mapped_column(String(30))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[str] = mapped_column(String(200))
