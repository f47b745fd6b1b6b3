"""GET /api/v1/feeds/registry: the change log by cursor, filtered to the caller's region."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from kit.auth import Principal, require
from kit.database import SessionDep
from kit.pagination import MAX_LIMIT
from kit.privacy import initials, mask_identifier
from kit.problems import problem_responses
from targeting.audit.repository import AuditRepository
from targeting.feed.repository import FeedRepository

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])


class FeedEntry(BaseModel):
    seq: int = Field(description="Only grows; a district's view may jump (other regions' entries are hidden).")
    type: str = Field(description="household.created | household.updated | household.deactivated | "
                      "member.created | member.updated")
    id: uuid.UUID = Field(description="The household's or member's id.")
    household_id: uuid.UUID
    region_code: str
    occurred_at: datetime
    change_request_id: uuid.UUID | None = None
    import_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(description="The record as it stood after the change (masked without pii:read).")


class FeedPage(BaseModel):
    items: list[FeedEntry]
    next_after: int = Field(description="Pass as `after` for the next page; equals `after` when nothing is new.")


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for key in ("nik", "no_kk"):
        if key in data:
            data[key] = mask_identifier(data[key])
    if "name" in data:
        data["name"] = initials(data["name"])
    if "address" in data:
        data["address"] = None
    return data


@router.get("/registry", response_model=FeedPage, summary="Read the registry change feed",
            description="Entries in `seq` order after `after`. Writers append under a lock as the last step of "
            "their transaction, so sequence order is commit order: a reader that follows `next_after` never "
            "misses an entry it may see. Filtered to the token's region.",
            responses=problem_responses(401, 403, 422))
async def read_registry_feed(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("registry:read"))],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> FeedPage:
    rows = await FeedRepository(session).read(principal.region, after=after, limit=limit)
    pii = principal.can_read_pii
    items = [FeedEntry(seq=r.seq, type=r.type, id=r.entity_id, household_id=r.household_id,
                       region_code=r.region_code, occurred_at=r.occurred_at, change_request_id=r.change_request_id,
                       import_id=r.import_id, data=r.data if pii else _masked(r.data)) for r in rows]
    await AuditRepository(session).record(principal, "feed.read", "household",
                                          sorted({r.household_id for r in rows}))
    return FeedPage(items=items, next_after=items[-1].seq if items else after)
