"""/api/v1/priority-areas: areas ranked by extreme poverty, and the official designations (lokus) per year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from kit.clock import today_jakarta
from kit.pagination import Cursor, InvalidCursorError, Limit, decode_cursor
from kit.problems import problem_responses
from targeting.priorityareas.dependencies import DesignateService, ReadService
from targeting.priorityareas.schemas import (
    DesignationList,
    DesignationPut,
    PriorityAreaRanking,
    RankingOrder,
    Year,
)
from targeting.regions.schemas import AreaLevel, RegionCodeText

router = APIRouter(prefix="/api/v1/priority-areas", tags=["priority areas"])

RANKING_DESCRIPTION = """Every area of `level` inside `region` (default and ceiling: the token's region; an
ancestor is narrowed to it, a disjoint region answers 403), ranked worst first from the registry as it stands:

- `households`: active households in the area; `extreme_poor_households`: those flagged extreme poor;
- `extreme_poor_rate` = extreme_poor_households / households, a fraction from 0 to 1, null when the area has
  no active household;
- `order=rate` (default): highest rate first, then more extreme-poor households, then region code ascending;
  `order=count`: more extreme-poor households first, then higher rate, then code. A null rate sorts after
  every rate. Ranks are unique (1, 2, 3, ...); rank 1 is the worst;
- every current area of the level is listed, including areas without active households (households 0, rate
  null: they rank after every area with households, which shows where the registry has no data); a code
  retired by a later decree is listed only while households still carry it;
- `designated`: the area is on the official list for `year` (default: this year in Asia/Jakarta) at `level`.

Only levels inside the region are ranked: with a district token, `level=regency` lists nothing. One
set-based SQL statement; pages follow `rank` (`limit`, `cursor`). Needs `registry:read`."""


@router.get("", response_model=PriorityAreaRanking, summary="Rank areas by extreme poverty",
            description=RANKING_DESCRIPTION, responses=problem_responses(401, 403, 422))
async def rank_priority_areas(
    service: ReadService,
    year: Annotated[Year | None, Query()] = None,
    level: AreaLevel = AreaLevel.regency,
    region: RegionCodeText | None = None,
    order: RankingOrder = RankingOrder.rate,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PriorityAreaRanking:
    key = decode_cursor(cursor, arity=1)
    if key is not None and not (isinstance(key[0], int) and key[0] >= 0):
        raise InvalidCursorError("The cursor is not one this API issued.")
    return await service.ranking(year=year or today_jakarta().year, level=level, region=region, order=order,
                                 after_rank=key[0] if key else 0, limit=limit)


@router.put("/{year}/designations", response_model=DesignationList,
            summary="Record the official priority areas of a year and level",
            description="Replaces the current list of `year` and `level` inside the caller's region with "
            "`region_codes` (an empty list clears it) and answers the new list. Nothing is lost: each PUT is a "
            "decision (who, when, decree), and replaced designations stay readable with `history=true`, marked "
            "with when and by whom they were replaced. A province token replaces the whole province's list; a "
            "kab/kota token only the areas inside its own region (e.g. its desa lokus). Every code must be a "
            "current region of `level` (422 `invalid-designation` with a pointer per code) inside the caller's "
            "region (403). Needs `registry:approve`.",
            responses=problem_responses(401, 403, 422))
async def put_priority_area_designations(year: Annotated[int, Path(ge=2000, le=2100)], body: DesignationPut,
                                         service: DesignateService) -> DesignationList:
    return await service.designate(year, body)


@router.get("/{year}/designations", response_model=DesignationList,
            summary="Read the official priority areas of a year",
            description="The current designations of `year` (all levels, or `level`), for other services "
            "(programmes' priority areas, reporting's priority-area share) and planners. A token sees the "
            "designations inside its region and those of the regions above it (a kab/kota sees whether it is a "
            "province lokus). `history=true` adds the replaced ones with `revoked_at`/`revoked_by`. Needs "
            "`registry:read`.",
            responses=problem_responses(401, 403, 422))
async def get_priority_area_designations(year: Annotated[int, Path(ge=2000, le=2100)], service: ReadService,
                                         level: AreaLevel | None = None, history: bool = False) -> DesignationList:
    return await service.designations(year=year, level=level, history=history)
