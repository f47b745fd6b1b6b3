"""Wire format of regions."""

from __future__ import annotations

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
