"""/api/v1/households: the registry's families and their members."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from kit.concurrency import IF_MATCH_REQUIRED, IfMatchHeader, etag, expected_version
from kit.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from kit.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from kit.problems import problem_responses
from targeting.households.codes import Status
from targeting.households.dependencies import ReadService, WriteService
from targeting.households.schemas import (
    Deactivation,
    HouseholdCreate,
    HouseholdRead,
    HouseholdUpdate,
    MemberCreate,
    MemberRead,
    MemberUpdate,
    household_read,
    member_read,
)
from targeting.idempotency.models import IdempotencyKey

router = APIRouter(prefix="/api/v1/households", tags=["households"])

RegionFilter = Annotated[str | None, Query(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
                                           description="Limit to this region's subtree (narrowed to the token's).")]
MASKING = " Without the `pii:read` scope, `nik` and `no_kk` are masked, names reduced to initials, addresses omitted."


@router.get("", response_model=Page[HouseholdRead], summary="List households",
            description="Keyset-paginated by id. Region, decile, extreme-poverty and status filters; a region "
            "outside the token's answers 403." + MASKING,
            responses=problem_responses(401, 403, 422))
async def list_households(
    service: ReadService,
    region: RegionFilter = None,
    welfare_decile_max: Annotated[int | None, Query(ge=1, le=10)] = None,
    extreme_poor: bool | None = None,
    status: Status | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[HouseholdRead]:
    key = decode_cursor(cursor, arity=1)
    after = _uuid_from_cursor(key[0]) if key else None
    rows = await service.list(region=region, welfare_decile_max=welfare_decile_max, extreme_poor=extreme_poor,
                              status=status.value if status else None, after=after, limit=limit + 1)
    pii = service.principal.can_read_pii
    items = [household_read(h, pii=pii) for h in rows[:limit]]
    return Page[HouseholdRead](items=items, next_cursor=encode_cursor([str(items[-1].id)]) if len(rows) > limit
                               else None)


@router.post("", status_code=201, response_model=HouseholdRead, summary="Register a household with its members",
             description="Validates NIK and No. KK (DOMAIN.md rules), the village, one head per family, NIKs "
             "unique among active members (409), birth dates not in the future (Asia/Jakarta). Emits "
             "household.created and one member.created per member." + MASKING,
             responses=problem_responses(401, 403, 409, 422))
async def create_household(
    request: Request, data: HouseholdCreate, service: WriteService, idempotency_key: IdempotencyKeyHeader = None,
) -> Any:
    async def produce() -> tuple[int, Any, dict[str, str]]:
        household = await service.create(data)
        body = household_read(household, pii=service.principal.can_read_pii,
                              members=household.members).model_dump(mode="json")
        return 201, body, {"Location": f"/api/v1/households/{household.id}", "ETag": etag(household.version)}

    return await run_idempotent(
        service.session, IdempotencyKey, client_id=service.principal.client_id, key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, data.model_dump(mode="json")), produce=produce,
    )


@router.get("/{household_id:uuid}", response_model=HouseholdRead, summary="Read a household with its members",
            description="A household outside the token's region answers 404 exactly as an absent one." + MASKING,
            responses=problem_responses(401, 404, 422))
async def get_household(household_id: uuid.UUID, service: ReadService, response: Response) -> HouseholdRead:
    household = await service.read(household_id)
    response.headers["ETag"] = etag(household.version)
    return household_read(household, pii=service.principal.can_read_pii, members=household.members)


@router.patch("/{household_id:uuid}", response_model=HouseholdRead, summary="Change a household",
              openapi_extra=IF_MATCH_REQUIRED,
              description="Needs `If-Match` with the household's ETag (428 without, 412 when stale). Only the "
              "fields sent change. Emits household.updated." + MASKING,
              responses=problem_responses(401, 403, 404, 409, 412, 422, 428))
async def update_household(household_id: uuid.UUID, patch: HouseholdUpdate, service: WriteService,
                           response: Response, if_match: IfMatchHeader = None) -> HouseholdRead:
    household = await service.update(household_id, expected_version(if_match), patch)
    response.headers["ETag"] = etag(household.version)
    return household_read(household, pii=service.principal.can_read_pii, members=household.members)


@router.post("/{household_id:uuid}/deactivate", response_model=HouseholdRead, summary="Deactivate a household",
             description="Nothing is ever deleted: the household and its active members become inactive with the "
             "reason, freeing their NIKs and No. KK. `If-Match` is honoured when sent. Emits "
             "household.deactivated." + MASKING,
             responses=problem_responses(401, 403, 404, 412, 422))
async def deactivate_household(household_id: uuid.UUID, body: Deactivation, service: WriteService,
                               response: Response, if_match: IfMatchHeader = None) -> HouseholdRead:
    expected = expected_version(if_match) if if_match is not None else None
    household = await service.deactivate(household_id, body.reason.value, expected)
    response.headers["ETag"] = etag(household.version)
    return household_read(household, pii=service.principal.can_read_pii, members=household.members)


@router.post("/{household_id:uuid}/members", status_code=201, response_model=MemberRead, summary="Add a member",
             description="Same NIK rules as registration; a second head is refused. Emits member.created." + MASKING,
             responses=problem_responses(401, 403, 404, 409, 422))
async def add_member(request: Request, household_id: uuid.UUID, data: MemberCreate, service: WriteService,
                     idempotency_key: IdempotencyKeyHeader = None) -> Any:
    async def produce() -> tuple[int, Any, dict[str, str]]:
        member = await service.add_member(household_id, data)
        body = member_read(member, pii=service.principal.can_read_pii).model_dump(mode="json")
        return 201, body, {"Location": f"/api/v1/households/{household_id}/members/{member.id}",
                           "ETag": etag(member.version)}

    return await run_idempotent(
        service.session, IdempotencyKey, client_id=service.principal.client_id, key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, data.model_dump(mode="json")), produce=produce,
    )


@router.patch("/{household_id:uuid}/members/{member_id:uuid}", response_model=MemberRead,
              summary="Change a member", openapi_extra=IF_MATCH_REQUIRED,
              description="Needs `If-Match` with the member's ETag (its `version`). `status: inactive` with an "
              "`inactive_reason` deactivates the member. Emits member.updated." + MASKING,
              responses=problem_responses(401, 403, 404, 409, 412, 422, 428))
async def update_member(household_id: uuid.UUID, member_id: uuid.UUID, patch: MemberUpdate,
                        service: WriteService, response: Response, if_match: IfMatchHeader = None) -> MemberRead:
    member = await service.update_member(household_id, member_id, expected_version(if_match), patch)
    response.headers["ETag"] = etag(member.version)
    return member_read(member, pii=service.principal.can_read_pii)


def _uuid_from_cursor(value: object) -> uuid.UUID:
    from kit.pagination import InvalidCursorError

    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidCursorError("The cursor is not one this API issued.") from exc

