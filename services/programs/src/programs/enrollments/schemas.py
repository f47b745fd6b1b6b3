"""Wire format of enrolments."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kit.app import StrictModel

MAX_BATCH = 10_000
Nik = Annotated[str, Field(pattern=r"^\d{16}$", description="16-digit NIK.")]


class EnrollmentCreate(StrictModel):
    """Exactly one of `household_ids`, `niks` or `target_list_id`."""

    household_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=MAX_BATCH)
    niks: list[Nik] | None = Field(default=None, min_length=1, max_length=MAX_BATCH,
                                   description="Members by NIK; for household programmes, their households.")
    target_list_id: uuid.UUID | None = Field(default=None, description="Every household of a frozen target list.")

    @model_validator(mode="after")
    def _exactly_one_source(self) -> EnrollmentCreate:
        given = [n for n in ("household_ids", "niks", "target_list_id") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of household_ids, niks or target_list_id")
        return self


class RejectionReason(StrEnum):
    not_found = "not_found"
    inactive = "inactive"
    out_of_scope = "out_of_scope"
    outside_priority_areas = "outside_priority_areas"


class Rejection(BaseModel):
    index: int = Field(description="Position of the ref in the request (or in the target list).")
    ref: str = Field(description="The household id, or the NIK (masked without `pii:read`).")
    reason: RejectionReason


class EnrollmentResult(BaseModel):
    enrolled: int = Field(description="New enrolments made by this batch.")
    already_enrolled: int = Field(description="Accepted refs that were enrolled before (or twice in this batch, "
                                  "such as two NIKs of one household in a household programme).")
    rejected: list[Rejection]
    off_target: int = Field(description="New enrolments that do not satisfy the programme's criteria.")


class EnrollmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    program_id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID | None
    region_code: str = Field(description="The household's village when it was enrolled.")
    matches_criteria: bool | None = Field(description="Whether the household satisfied the programme's criteria "
                                          "when enrolled; null when the programme has none.")
    enrolled_at: datetime
    enrolled_by: str
