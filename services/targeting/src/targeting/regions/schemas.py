"""Wire format of regions."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from targeting.regions.models import RegionLevel


class RegionRead(BaseModel):
    code: str = Field(examples=["18.71.01.1003"], description="Kemendagri code, dotted.")
    name: str
    level: RegionLevel
    parent_code: str | None
    bps_code: str | None = Field(description="BPS code (regencies of Lampung and the province), when known.")
    decree: str = Field(description="The decree the current name and parent come from.")
    retired: bool = Field(description="True when a later decree dropped the code; old records keep it.")


REGION_CODE_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"


class AreaLevel(StrEnum):
    """The levels below the province that counts, rankings and designations group by."""

    regency = "regency"
    district = "district"
    village = "village"


# Kemendagri codes are fixed-width per level, so an area's code is a prefix of its villages' codes.
AREA_CODE_WIDTH = {AreaLevel.regency: 5, AreaLevel.district: 8, AreaLevel.village: 13}

RegionCodeText = Annotated[str, Field(pattern=REGION_CODE_PATTERN, examples=["18.71"],
                                      description="Kemendagri code, dotted, at any level.")]
