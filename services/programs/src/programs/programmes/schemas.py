"""Wire format of programmes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, field_validator

from kit.app import StrictModel
from programs.agencies.models import AgencyLevel
from programs.patching import PatchModel, refuse_null
from programs.programmes.criteria import check_criteria
from programs.programmes.models import (
    BeneficiaryUnit,
    Benefit,
    FundingSource,
    ProgramStatus,
    Sector,
    Strategy,
)
from programs.regions import RegionCode


def _criteria(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None:
        check_criteria(value)
    return value


ProgramCode = Annotated[str, Field(min_length=1, max_length=50, examples=["BANSOS-LANSIA"],
                                   description="Unique per agency and fiscal year.")]
ProgramName = Annotated[str, Field(min_length=1, max_length=300, examples=["Bantuan sosial lanjut usia"])]
Cluster = Annotated[int, Field(ge=1, le=4, description="Klaster I-IV (DOMAIN.md section 9).")]
Rupiah = Annotated[int, Field(ge=0, le=10**15, description="Integer rupiah.")]
Target = Annotated[int, Field(ge=0, le=100_000_000, description="Households or persons, per `unit`.")]
Criteria = Annotated[
    dict[str, Any] | None,
    AfterValidator(_criteria),
    Field(description="Who the programme is meant for: a targeting criteria tree "
          "(`{\"all\": [{\"field\": \"welfare_decile\", \"op\": \"lte\", \"value\": 4}]}`). Enrolment still "
          "accepts households outside it and counts them as `off_target`.",
          examples=[{"all": [{"field": "welfare_decile", "op": "lte", "value": 4}]}]),
]
PriorityAreas = Annotated[list[RegionCode], Field(
    max_length=3000, description="Region codes inside the agency's region. When any are named, enrolment refuses "
    "households outside all of them (`outside_priority_areas`).",
)]
PartnerIds = Annotated[list[uuid.UUID], Field(max_length=200, description="Partners (see /api/v1/partners).")]


class ProgramCreate(StrictModel):
    code: ProgramCode
    name: ProgramName
    agency_id: uuid.UUID
    fiscal_year: int = Field(ge=2000, le=2100, description="Calendar year (Indonesia's fiscal year). Fixed.")
    strategy: Strategy
    cluster: Cluster
    sector: Sector
    unit: BeneficiaryUnit = Field(description="`household` enrols households; `person` enrols members by NIK. Fixed.")
    benefit: Benefit
    budget_idr: Rupiah
    funding_source: FundingSource
    target_beneficiaries: Target
    criteria: Criteria = None
    priority_areas: PriorityAreas = Field(default_factory=list)
    partner_ids: PartnerIds = Field(default_factory=list)
    status: ProgramStatus = ProgramStatus.planned


class ProgramUpdate(PatchModel):
    """`agency_id`, `fiscal_year` and `unit` are fixed once created (deliveries and enrolments hang on them)."""

    code: ProgramCode | None = None
    name: ProgramName | None = None
    strategy: Strategy | None = None
    cluster: Cluster | None = None
    sector: Sector | None = None
    benefit: Benefit | None = None
    budget_idr: Rupiah | None = None
    funding_source: FundingSource | None = None
    target_beneficiaries: Target | None = None
    criteria: Criteria = None
    priority_areas: PriorityAreas | None = None
    partner_ids: PartnerIds | None = None
    status: ProgramStatus | None = None

    @field_validator("code", "name", "strategy", "cluster", "sector", "benefit", "budget_idr", "funding_source",
                     "target_beneficiaries", "priority_areas", "partner_ids", "status", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class ProgramRecord(BaseModel):
    """The stored programme, as the feed carries it."""

    id: uuid.UUID
    code: str
    name: str
    agency_id: uuid.UUID
    agency_level: AgencyLevel
    region_code: str = Field(description="The agency's region: the programme belongs to it.")
    fiscal_year: int
    strategy: Strategy
    cluster: int
    sector: Sector
    unit: BeneficiaryUnit
    benefit: Benefit
    budget_idr: int
    funding_source: FundingSource
    target_beneficiaries: int
    criteria: dict[str, Any] | None
    priority_areas: list[str]
    partner_ids: list[uuid.UUID]
    status: ProgramStatus
    version: int
    created_at: datetime
    updated_at: datetime


class ProgramTotals(BaseModel):
    spent_idr: int = Field(0, description="Recorded spending over every period.")
    delivered_value_idr: int = Field(0, description="Value of deliveries to households inside the token's region.")
    enrolled: int = Field(0, description="Enrolments (households, or persons for `unit: person`) inside the "
                          "token's region.")
    reached: int = Field(0, description="Households inside the token's region with at least one delivery.")


class ProgramRead(ProgramTotals, ProgramRecord):
    pass
