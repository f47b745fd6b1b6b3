"""Wire format of deliveries."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from kit.app import StrictModel

MAX_BATCH = 10_000
Quantity = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=3),
                     PlainSerializer(float, return_type=float, when_used="json")]


class DeliveryCreate(StrictModel):
    household_id: uuid.UUID
    member_id: uuid.UUID | None = Field(default=None, description="For person programmes: the enrolled member.")
    delivered_on: date = Field(description="A date inside the programme's fiscal year.")
    value_idr: int = Field(ge=0, le=10**15, description="Value delivered, integer rupiah.")
    quantity: Quantity = Field(examples=[1])
    unit: str = Field(min_length=1, max_length=30, examples=["paket", "kg", "unit rumah"])


DeliveryBatch = Annotated[list[DeliveryCreate], Field(min_length=1, max_length=MAX_BATCH)]


class DeliveryResult(BaseModel):
    created: int
    value_idr: int = Field(description="Total value of the deliveries recorded by this batch.")


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    program_id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID | None
    region_code: str
    delivered_on: date
    value_idr: int
    quantity: Quantity
    unit: str
    recorded_at: datetime
    recorded_by: str
