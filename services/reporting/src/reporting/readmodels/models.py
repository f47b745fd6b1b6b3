"""Read-model tables. Each row mirrors what a feed entry said; nothing here is written by a request.

Region codes are stored in Kemendagri dotted form with the "C" collation, so `LIKE '18.71.%'` and range
scans use the indexes. Households and members keep only what the reports read.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from reporting.database import Base

RegionCode = String(13, collation="C")


class FeedPosition(Base):
    """Where the consumer stands in each feed; updated in the transaction that applies the entries."""

    __tablename__ = "feed_position"

    feed: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    source_head: Mapped[int | None] = mapped_column(BigInteger)
    last_occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(RegionCode, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(RegionCode)


class Household(Base):
    """Each household as the registry feed last described it."""

    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_region_code_poor", "region_code", postgresql_where=text(
            "status = 'active' AND extreme_poor")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(RegionCode)
    address: Mapped[str | None] = mapped_column(Text)
    welfare_decile: Mapped[int | None] = mapped_column(SmallInteger)
    extreme_poor: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(BigInteger)


class HouseholdHistory(Base):
    """One row per registry state of a household: valid from its feed entry's time until the next one."""

    __tablename__ = "household_history"
    __table_args__ = (
        Index("ix_household_history_household_id", "household_id", postgresql_where=text("valid_to IS NULL")),
        Index("ix_household_history_region_code", "region_code"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(RegionCode)
    extreme_poor: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Member(Base):
    __tablename__ = "member"
    __table_args__ = (
        Index("ix_member_household_id_head", "household_id", postgresql_where=text(
            "relationship = 'head' AND status = 'active'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(RegionCode)


class Program(Base):
    __tablename__ = "program"
    __table_args__ = (Index("ix_program_fiscal_year", "fiscal_year"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(RegionCode)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    strategy: Mapped[str] = mapped_column(String(32))
    cluster: Mapped[int] = mapped_column(SmallInteger)
    sector: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    benefit: Mapped[str] = mapped_column(String(32))
    budget_idr: Mapped[int] = mapped_column(BigInteger)
    funding_source: Mapped[str] = mapped_column(String(32))
    target_beneficiaries: Mapped[int] = mapped_column(BigInteger)
    priority_areas: Mapped[list[str]] = mapped_column(ARRAY(Text))
    status: Mapped[str] = mapped_column(String(16))


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (Index("ix_enrollment_program_id_household_id", "program_id", "household_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    program_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(RegionCode)


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_household_id", "household_id"),
        Index("ix_delivery_program_id", "program_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    program_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(RegionCode)
    delivered_on: Mapped[date] = mapped_column(Date)
    value_idr: Mapped[int] = mapped_column(BigInteger)


class Reach(Base):
    """Which programme sectors and strategies reached a household in a year (bits: readmodels.codes), kept by
    the consumer with each delivery and rebuilt when a programme changes sector or strategy; with a copy of
    the household's current region and extreme-poverty state (active and extreme poor), kept with each
    registry change, so coverage reads the reached extreme poor without visiting every household."""

    __tablename__ = "reach"
    __table_args__ = (
        Index("ix_reach_year_region_code", "year", "region_code", postgresql_where=text("extreme_poor")),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    sectors: Mapped[int] = mapped_column(Integer)
    strategies: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str | None] = mapped_column(RegionCode)
    extreme_poor: Mapped[bool] = mapped_column(Boolean)


class Spending(Base):
    """The amount recorded for a programme's month; a later `spending.recorded` of the month replaces it."""

    __tablename__ = "spending"

    program_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)


class Designation(Base):
    """The targeting service's current priority-area designations of a year, as last synchronised."""

    __tablename__ = "designation"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(RegionCode, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    decree: Mapped[str | None] = mapped_column(String(300))
