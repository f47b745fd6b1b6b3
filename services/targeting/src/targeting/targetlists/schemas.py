"""Wire format of target lists."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from kit.app import StrictModel
from targeting.criteria.schemas import AsOf, CriteriaJson
from targeting.regions.schemas import RegionCodeText

ListName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                            pattern=r"^[^\x00-\x1f\x7f]+$")]


class TargetListCreate(StrictModel):
    name: ListName
    criteria: CriteriaJson
    region: RegionCodeText = Field(description="The subtree the list is drawn from (narrowed to the token's "
                                   "region; disjoint answers 403). Stored as narrowed.")
    as_of: AsOf | None = None


class TargetListRead(BaseModel):
    id: uuid.UUID
    name: str
    criteria: dict[str, Any] = Field(description="The criteria exactly as submitted.")
    region: str
    as_of: date = Field(description="The date `age` was computed at.")
    households: int = Field(description="Active households the criteria selected when the list was drawn.")
    members: int = Field(description="Their active members at that moment.")
    registry_seq: int = Field(description="The registry feed position the list reflects: every feed entry up "
                              "to this `seq` and none after it (read in the same snapshot as the households).")
    created_by: str
    created_at: datetime


class TargetListHouseholdRead(BaseModel):
    household_id: uuid.UUID
    region_code: str = Field(description="The household's village when the list was drawn.")
    members: int = Field(description="Its active members when the list was drawn.")


class TargetListDiffItem(BaseModel):
    household_id: uuid.UUID
    region_code: str
    change: Literal["added", "removed"] = Field(description="`added`: in this list, not in `against`; "
                                                "`removed`: in `against`, not in this list.")


class TargetListDiff(BaseModel):
    target_list_id: uuid.UUID
    against: uuid.UUID
    added: int = Field(description="Households in this list and not in `against`.")
    removed: int = Field(description="Households in `against` and not in this list.")
    unchanged: int = Field(description="Households in both.")
    items: list[TargetListDiffItem] = Field(description="The added and removed households, by household id.")
    next_cursor: str | None
