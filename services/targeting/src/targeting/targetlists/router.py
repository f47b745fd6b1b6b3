"""/api/v1/target-lists: frozen lists of the households criteria selected, read back and compared."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from kit.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from kit.pagination import Cursor, InvalidCursorError, Limit, Page, decode_cursor, encode_cursor
from kit.problems import problem_responses
from targeting.idempotency.models import IdempotencyKey
from targeting.regions.schemas import RegionCodeText
from targeting.targetlists.dependencies import TargetListServiceDep
from targeting.targetlists.models import TargetList
from targeting.targetlists.schemas import (
    TargetListCreate,
    TargetListDiff,
    TargetListHouseholdRead,
    TargetListRead,
)

router = APIRouter(prefix="/api/v1/target-lists", tags=["target lists"])

VISIBILITY = (" A list is visible to tokens whose region contains the list's region; any other answers 404 "
              "exactly like an absent list. Needs `registry:read`.")


def _read(found: TargetList) -> TargetListRead:
    return TargetListRead(id=found.id, name=found.name, criteria=found.criteria, region=found.region_code,
                          as_of=found.as_of, households=found.households, members=found.members,
                          registry_seq=found.registry_seq, created_by=found.created_by, created_at=found.created_at)


def _uuid_cursor(cursor: str | None) -> uuid.UUID | None:
    key = decode_cursor(cursor, arity=1)
    if key is None:
        return None
    try:
        return uuid.UUID(str(key[0]))
    except ValueError as exc:
        raise InvalidCursorError("The cursor is not one this API issued.") from exc


@router.post("", status_code=201, response_model=TargetListRead, summary="Draw and freeze a target list",
             description="Evaluates the criteria (see POST /api/v1/targeting/evaluate for the grammar and the "
             "counting rule) over `region` and freezes the matching active households, with the criteria, the "
             "region, `as_of` and `registry_seq`: the registry feed position read in the same snapshot, so the "
             "list holds every change up to that feed entry and none after. One INSERT ... SELECT. A list never "
             "changes afterwards: later registry changes do not alter it; draw a new list and compare with "
             "`/diff`. `Idempotency-Key` makes a retry safe." + VISIBILITY,
             responses=problem_responses(401, 403, 422))
async def create_target_list(request: Request, data: TargetListCreate, service: TargetListServiceDep,
                             idempotency_key: IdempotencyKeyHeader = None) -> Any:
    async def produce() -> tuple[int, Any, dict[str, str]]:
        created = await service.create(data)
        return 201, _read(created).model_dump(mode="json"), {"Location": f"/api/v1/target-lists/{created.id}"}

    return await run_idempotent(
        service.session, IdempotencyKey, client_id=service.principal.client_id, key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, data.model_dump(mode="json")), produce=produce)


@router.get("", response_model=Page[TargetListRead], summary="List target lists",
            description="Newest first, keyset-paginated. `region` narrows to lists drawn inside that subtree "
            "(an ancestor of the token's region is narrowed to it; a disjoint one answers 403)." + VISIBILITY,
            responses=problem_responses(401, 403, 422))
async def list_target_lists(service: TargetListServiceDep, region: RegionCodeText | None = None,
                            limit: Limit = 50, cursor: Cursor = None) -> Page[TargetListRead]:
    rows = await service.list(region=region, before=_uuid_cursor(cursor), limit=limit + 1)
    items = [_read(r) for r in rows[:limit]]
    return Page[TargetListRead](items=items, next_cursor=encode_cursor([str(items[-1].id)])
                                if len(rows) > limit else None)


@router.get("/{list_id}", response_model=TargetListRead, summary="Read a target list",
            description="The list's criteria, region, counts, `as_of` and `registry_seq`." + VISIBILITY,
            responses=problem_responses(401, 403, 404, 422))
async def get_target_list(list_id: uuid.UUID, service: TargetListServiceDep) -> TargetListRead:
    return _read(await service.read(list_id))


@router.get("/{list_id}/households", response_model=Page[TargetListHouseholdRead],
            summary="Page through a target list's households",
            description="The frozen households in household-id order, keyset-paginated: "
            "`{\"items\": [{\"household_id\", \"region_code\", \"members\"}], \"next_cursor\"}`. The programs "
            "service pages through this to enrol a list. `region_code` and `members` are as they stood when the "
            "list was drawn." + VISIBILITY, responses=problem_responses(401, 403, 404, 422))
async def list_target_list_households(list_id: uuid.UUID, service: TargetListServiceDep, limit: Limit = 50,
                                      cursor: Cursor = None) -> Page[TargetListHouseholdRead]:
    rows = await service.households(list_id, after=_uuid_cursor(cursor), limit=limit + 1)
    items = [TargetListHouseholdRead(household_id=r.household_id, region_code=r.region_code, members=r.members)
             for r in rows[:limit]]
    return Page[TargetListHouseholdRead](items=items, next_cursor=encode_cursor([str(items[-1].household_id)])
                                         if len(rows) > limit else None)


@router.get("/{list_id}/diff", response_model=TargetListDiff, summary="Compare two target lists",
            description="What changed from list `against` (typically the older) to this list: `added` counts "
            "the households in this list and not in `against`, `removed` those in `against` and not in this "
            "list, `unchanged` those in both (every page carries the three counts). `items` lists the added "
            "and removed households together in household-id order, keyset-paginated with `limit` and "
            "`cursor`. Both lists must be visible (404 otherwise)." + VISIBILITY,
            responses=problem_responses(401, 403, 404, 422))
async def diff_target_lists(list_id: uuid.UUID, against: uuid.UUID, service: TargetListServiceDep,
                            limit: Limit = 50, cursor: Cursor = None) -> TargetListDiff:
    return await service.diff(list_id, against, after=_uuid_cursor(cursor), limit=limit)
