"""Wire format of spending."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from kit.app import StrictModel


class SpendingCreate(StrictModel):
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2022-03"],
                        description="A month of the programme's fiscal year.")
    amount_idr: int = Field(ge=0, le=10**15, description="Spent in that month, integer rupiah; replaces any "
                            "amount recorded for the month before.")


SpendingBatch = Annotated[list[SpendingCreate], Field(min_length=1, max_length=12)]


class SpendingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period: str
    amount_idr: int
    recorded_at: datetime
    recorded_by: str


class SpendingSummary(BaseModel):
    items: list[SpendingRead] = Field(description="Every recorded month, in order.")
    spent_idr: int
