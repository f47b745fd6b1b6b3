"""The program table and its partner links."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kit.ids import uuid7
from programs.database import Base


class Strategy(StrEnum):
    """Inpres 4/2022."""

    reduce_burden = "reduce_burden"
    increase_income = "increase_income"
    reduce_pockets = "reduce_pockets"


class Sector(StrEnum):
    social_assistance = "social_assistance"
    health = "health"
    education = "education"
    water_sanitation = "water_sanitation"
    housing = "housing"
    income = "income"
    food = "food"
    infrastructure = "infrastructure"


class BeneficiaryUnit(StrEnum):
    household = "household"
    person = "person"


class Benefit(StrEnum):
    cash = "cash"
    in_kind = "in_kind"
    service = "service"
    infrastructure = "infrastructure"


class FundingSource(StrEnum):
    apbn = "apbn"
    apbd_province = "apbd_province"
    apbd_regency = "apbd_regency"
    dak = "dak"
    dana_desa = "dana_desa"
    csr = "csr"
    other = "other"


class ProgramStatus(StrEnum):
    planned = "planned"
    active = "active"
    closed = "closed"


class Program(Base):
    __tablename__ = "program"
    __table_args__ = (
        UniqueConstraint("agency_id", "fiscal_year", "code"),
        CheckConstraint("cluster BETWEEN 1 AND 4", name="cluster_range"),
        CheckConstraint("budget_idr >= 0", name="budget_not_negative"),
        CheckConstraint("target_beneficiaries >= 0", name="target_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id"))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger, index=True)
    strategy: Mapped[str] = mapped_column(String(20))
    cluster: Mapped[int] = mapped_column(SmallInteger)
    sector: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    benefit: Mapped[str] = mapped_column(String(20))
    budget_idr: Mapped[int] = mapped_column(BigInteger)
    funding_source: Mapped[str] = mapped_column(String(20))
    target_beneficiaries: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    priority_areas: Mapped[list[str]] = mapped_column(ARRAY(String(13)), server_default=text("'{}'"))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProgramPartner(Base):
    __tablename__ = "program_partner"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("program.id"), primary_key=True)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id"), primary_key=True, index=True)
