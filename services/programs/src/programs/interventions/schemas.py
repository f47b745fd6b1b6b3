"""Wire format of a household's interventions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from programs.deliveries.schemas import Quantity
from programs.programmes.models import Sector, Strategy


class ProgramSummary(BaseModel):
    program_id: uuid.UUID
    program_code: str
    program_name: str
    agency_id: uuid.UUID
    fiscal_year: int
    sector: Sector
    strategy: Strategy


class InterventionEnrollment(ProgramSummary):
    id: int
    member_id: uuid.UUID | None
    region_code: str
    matches_criteria: bool | None
    enrolled_at: datetime


class InterventionDelivery(ProgramSummary):
    id: int
    member_id: uuid.UUID | None
    region_code: str
    delivered_on: date
    value_idr: int
    quantity: Quantity
    unit: str


class InterventionsRead(BaseModel):
    household_id: uuid.UUID
    enrollments: list[InterventionEnrollment]
    deliveries: list[InterventionDelivery]
