"""Wire format of priority-area rankings and designations."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from kit.app import StrictModel
from targeting.regions.schemas import AreaLevel, RegionCodeText

Year = Annotated[int, Field(ge=2000, le=2100, description="Calendar (= fiscal) year.")]
MAX_DESIGNATIONS = 10_000


class RankingOrder(StrEnum):
    rate = "rate"
    count = "count"


class PriorityAreaRead(BaseModel):
    region_code: str
    name: str
    households: int = Field(description="Active households in the area.")
    extreme_poor_households: int = Field(description="Active households flagged extreme poor.")
    extreme_poor_rate: float | None = Field(description="extreme_poor_households / households, a fraction from "
                                            "0 to 1; null when the area has no active household.")
    rank: int = Field(description="1 is the worst; unique (ties are broken down to the region code).")
    designated: bool = Field(description="The area is on the year's official list for its level.")


class PriorityAreaRanking(BaseModel):
    year: int
    level: AreaLevel
    order: RankingOrder
    region: str = Field(description="The subtree ranked, after narrowing to the token's region.")
    items: list[PriorityAreaRead]
    next_cursor: str | None


class DesignationPut(StrictModel):
    level: AreaLevel
    region_codes: Annotated[list[RegionCodeText], Field(max_length=MAX_DESIGNATIONS)] = Field(
        description="Every area of `level` designated for the year inside the caller's region; an empty list "
        "clears it.")
    decree: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300,
                                             pattern=r"^[^\x00-\x1f\x7f]+$")] | None = Field(
        default=None, description="The decree (SK) naming the list, e.g. `Kepmenko PMK 25/2022`.")


class DesignationRead(BaseModel):
    region_code: str
    name: str
    level: AreaLevel
    year: int
    decision_id: uuid.UUID = Field(description="The PUT that designated the area.")
    decree: str | None
    designated_by: str
    designated_at: datetime
    revoked_at: datetime | None = Field(description="When a later PUT replaced it (history only).")
    revoked_by: str | None


class DesignationList(BaseModel):
    year: int
    items: list[DesignationRead] = Field(description="Ordered by level (regency, district, village), then code.")
