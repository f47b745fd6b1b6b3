"""Wire format of partners."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kit.app import StrictModel
from programs.partners.models import PartnerKind
from programs.regions import RegionCode


class PartnerCreate(StrictModel):
    name: str = Field(min_length=1, max_length=300, examples=["PT Pupuk Sriwidjaja"])
    kind: PartnerKind
    region_code: RegionCode | None = Field(
        default=None, description="Where the partner works; defaults to the token's region and must lie inside it."
    )


class PartnerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: PartnerKind
    region_code: str
    created_at: datetime
