"""Wire format of agencies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kit.app import StrictModel
from programs.agencies.models import AgencyLevel
from programs.patching import PatchModel, refuse_null
from programs.regions import RegionCode, depth_of

AgencyCode = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                                  examples=["DINSOS-1871"], description="Unique across the province.")]
AgencyName = Annotated[str, Field(min_length=1, max_length=300, examples=["Dinas Sosial Kota Bandar Lampung"])]
DEPTH_OF_LEVEL = {AgencyLevel.province: 1, AgencyLevel.regency: 2}


class AgencyCreate(StrictModel):
    code: AgencyCode
    name: AgencyName
    level: AgencyLevel
    region_code: RegionCode = Field(description="The province (`18`) for a provincial agency, the "
                                    "kabupaten/kota (`18.71`) for a district one. Fixed once created.")

    @field_validator("region_code")
    @classmethod
    def _matches_level(cls, value: str, info: ValidationInfo) -> str:
        level = info.data.get("level")
        if level is not None and depth_of(value) != DEPTH_OF_LEVEL[level]:
            raise ValueError(f"a {level} agency sits in a {'province' if level == 'province' else 'kabupaten/kota'}"
                             " code such as " + ("18" if level == "province" else "18.71"))
        return value


class AgencyUpdate(PatchModel):
    code: AgencyCode | None = None
    name: AgencyName | None = None

    @field_validator("code", "name", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return refuse_null(value)


class AgencyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    level: AgencyLevel
    region_code: str
    version: int
    created_at: datetime
    updated_at: datetime
