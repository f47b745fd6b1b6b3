"""GET /api/v1/regions and /api/v1/regions/{code}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from kit.auth import Principal, current_principal, region_covers
from kit.database import SessionDep
from kit.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from kit.problems import ForbiddenError, NotFoundError, problem_responses
from targeting.regions.models import Region, RegionLevel
from targeting.regions.repository import RegionRepository
from targeting.regions.schemas import RegionRead

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])

RegionCode = Annotated[str, Path(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", examples=["18.71"])]
PrincipalDep = Annotated[Principal, Depends(current_principal)]


class RegionNotFoundError(NotFoundError):
    slug, title = "region-not-found", "Region not found"


def _read(region: Region, decree: str) -> RegionRead:
    return RegionRead(code=region.code, name=region.name, level=RegionLevel(region.level),
                      parent_code=region.parent_code, bps_code=region.bps_code, decree=decree,
                      retired=region.retired_by_decree_id is not None)


@router.get("", response_model=Page[RegionRead], summary="List regions",
            description="Regions in the token's subtree and its ancestors, ordered by code. "
            "`parent` lists the children of one region; a parent outside the token's reach answers 403.",
            responses=problem_responses(401, 403, 422))
async def list_regions(
    session: SessionDep,
    principal: PrincipalDep,
    parent: Annotated[str | None, Query(pattern=r"^\d{2}(\.\d{2}(\.\d{2})?)?$")] = None,
    level: RegionLevel | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RegionRead]:
    if parent is not None and not (region_covers(parent, principal.region) or principal.covers(parent)):
        raise ForbiddenError(f"Region {parent} lies outside this client's region {principal.region}.")
    key = decode_cursor(cursor, arity=1)
    rows = await RegionRepository(session).list(
        principal, parent=parent, level=level.value if level else None,
        after=str(key[0]) if key else None, limit=limit + 1,
    )
    items = [_read(r, d) for r, d in rows[:limit]]
    next_cursor = encode_cursor([items[-1].code]) if len(rows) > limit else None
    return Page[RegionRead](items=items, next_cursor=next_cursor)


@router.get("/{code}", response_model=RegionRead, summary="Read one region",
            responses=problem_responses(401, 404, 422))
async def get_region(code: RegionCode, session: SessionDep, principal: PrincipalDep) -> RegionRead:
    found = await RegionRepository(session).get(code, principal)
    if found is None:
        raise RegionNotFoundError(f"No region {code}.")
    return _read(*found)
