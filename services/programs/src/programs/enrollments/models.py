"""The enrollment table: one row per household (or member, for person programmes) per programme."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from programs.database import Base


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (
        # Once per programme, enforced by the database so concurrent batches cannot both insert.
        Index("uq_enrollment_program_id_household_id", "program_id", "household_id", unique=True,
              postgresql_where=text("member_id IS NULL")),
        Index("uq_enrollment_program_id_member_id", "program_id", "member_id", unique=True,
              postgresql_where=text("member_id IS NOT NULL")),
        Index("ix_enrollment_program_id_id", "program_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("program.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(index=True)
    member_id: Mapped[uuid.UUID | None]
    # The household's village when it was enrolled: scoping and reports key on it.
    region_code: Mapped[str] = mapped_column(String(13))
    matches_criteria: Mapped[bool | None] = mapped_column(Boolean)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    enrolled_by: Mapped[str] = mapped_column(String(200))
