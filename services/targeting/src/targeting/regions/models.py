"""Region tables: the current tree, the decrees, and each code's history across decrees."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base


class RegionLevel(StrEnum):
    province = "province"
    regency = "regency"
    district = "district"
    village = "village"


LEVEL_BY_SEGMENTS = {1: RegionLevel.province, 2: RegionLevel.regency, 3: RegionLevel.district, 4: RegionLevel.village}


class RegionDecree(Base):
    __tablename__ = "region_decree"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(200), unique=True)
    effective_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Region(Base):
    """The current tree. A code a later decree drops stays, marked retired: old records keep their codes."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(13, collation="C"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(13, collation="C"), index=True)
    bps_code: Mapped[str | None] = mapped_column(String(10))
    decree_id: Mapped[int] = mapped_column(ForeignKey("region_decree.id"))
    retired_by_decree_id: Mapped[int | None] = mapped_column(ForeignKey("region_decree.id"))


class RegionVersion(Base):
    """One row per decree that introduced or changed a code (name or parent)."""

    __tablename__ = "region_version"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    decree_id: Mapped[int] = mapped_column(ForeignKey("region_decree.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(13))
