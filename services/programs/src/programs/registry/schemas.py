"""The targeting service's answers the programs service relies on (its contract, not its code)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class RegistryEntry(BaseModel):
    """One item of POST /api/v1/households/lookup, in request order."""

    ref: str
    found: bool
    household_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    region_code: str | None = None
    status: str | None = None
    matches_criteria: bool | None = None


class LookupAnswer(BaseModel):
    items: list[RegistryEntry]


class TargetListHousehold(BaseModel):
    household_id: uuid.UUID
    region_code: str


class TargetListPage(BaseModel):
    items: list[TargetListHousehold]
    next_cursor: str | None = None
