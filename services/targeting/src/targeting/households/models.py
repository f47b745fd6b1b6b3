"""Household and member tables. Nothing is ever hard-deleted: rows go inactive with a reason."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    orm,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base

# Byte-wise collation: region-prefix filters (`LIKE '18.71.%'`) can use a plain btree index.
REGION_COLLATION = "C"


class Household(Base):
    __tablename__ = "household"
    __table_args__ = (
        CheckConstraint("welfare_decile BETWEEN 1 AND 10", name="welfare_decile_range"),
        CheckConstraint("status IN ('active', 'inactive')", name="status_known"),
        CheckConstraint("(status = 'inactive') = (inactive_reason IS NOT NULL)", name="inactive_has_reason"),
        Index("uq_household_no_kk_active", "no_kk", unique=True, postgresql_where=text("status = 'active'")),
        Index("ix_household_region_code", "region_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16))
    id_dtks: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(13, collation=REGION_COLLATION), ForeignKey("region.code"))
    address: Mapped[str | None] = mapped_column(Text)
    welfare_decile: Mapped[int | None] = mapped_column(SmallInteger)
    extreme_poor: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    floor_area_m2: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    floor: Mapped[str | None] = mapped_column(String(24))
    wall: Mapped[str | None] = mapped_column(String(24))
    roof: Mapped[str | None] = mapped_column(String(24))
    drinking_water: Mapped[str | None] = mapped_column(String(24))
    lighting: Mapped[str | None] = mapped_column(String(24))
    cooking_fuel: Mapped[str | None] = mapped_column(String(24))
    toilet: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(8), server_default=text("'active'"))
    inactive_reason: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32), server_default=text("'api'"))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    members: Mapped[list[Member]] = orm.relationship(
        back_populates="household", lazy="raise", order_by="Member.created_at, Member.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Member(Base):
    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex_known"),
        CheckConstraint("status IN ('active', 'inactive')", name="status_known"),
        CheckConstraint("(status = 'inactive') = (inactive_reason IS NOT NULL)", name="inactive_has_reason"),
        Index("uq_member_nik_active", "nik", unique=True, postgresql_where=text("status = 'active'")),
        Index("ix_member_household_id", "household_id"),
        # Counting rule: every count and criterion reads a household's ACTIVE members; this partial index lets
        # those counts run as index-only scans instead of visiting the member rows.
        Index("ix_member_household_id_active", "household_id", postgresql_where=text("status = 'active'")),
        Index("ix_member_birth_date", "birth_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"))
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    relationship: Mapped[str] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(24))
    school_participation: Mapped[str | None] = mapped_column(String(16))
    occupation: Mapped[str | None] = mapped_column(String(24))
    disability: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    chronic_illness: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    pregnant: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(8), server_default=text("'active'"))
    inactive_reason: Mapped[str | None] = mapped_column(String(16))
    data_quality: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default=text("'{}'"))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    household: Mapped[Household] = orm.relationship(back_populates="members", lazy="raise")

    __mapper_args__ = {"version_id_col": version}
