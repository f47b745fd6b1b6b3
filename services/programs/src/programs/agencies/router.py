"""/api/v1/agencies: list, create, read and patch agencies (OPD)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from kit.concurrency import IfMatchHeader, etag, expected_version
from kit.pagination import Cursor, Limit, Page, encode_cursor
from kit.problems import problem_responses
from programs.access import Reader, Writer
from programs.agencies.dependencies import AgencyServiceDep
from programs.agencies.models import AgencyLevel
from programs.agencies.schemas import AgencyCreate, AgencyRead, AgencyUpdate
from programs.idempotency.dependencies import IdempotencyDep
from programs.paging import keyset

router = APIRouter(prefix="/api/v1/agencies", tags=["agencies"])

@router.get("", response_model=Page[AgencyRead], summary="List agencies",
            description="Agencies inside the token's region and above it (a district client sees the provincial "
            "agencies too), ordered by code.", responses=problem_responses(401, 403, 422))
async def list_agencies(
    service: AgencyServiceDep, principal: Reader, level: AgencyLevel | None = None, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AgencyRead]:
    after = keyset(cursor, str)
    rows = await service.list(principal, level=level, after=after[0] if after else None, limit=limit + 1)
    next_cursor = encode_cursor([rows[limit - 1].code]) if len(rows) > limit else None
    return Page[AgencyRead](items=rows[:limit], next_cursor=next_cursor)


@router.post("", status_code=201, response_model=AgencyRead, summary="Register an agency",
             description="Registers a provincial (`level: province`, region `18`) or district (`level: regency`, "
             "region `18.71`) agency. The region must lie inside the token's region (403 otherwise) and is fixed "
             "once created; `code` is unique (409). Emits `agency.created` on the feed.",
             responses=problem_responses(401, 403, 409, 422))
async def create_agency(body: AgencyCreate, service: AgencyServiceDep, principal: Writer,
                        idempotency: IdempotencyDep) -> JSONResponse:
    async def produce() -> tuple[int, object, dict[str, str]]:
        agency = await service.create(body, principal)
        return 201, agency.model_dump(mode="json"), {"Location": f"{router.prefix}/{agency.id}",
                                                     "ETag": etag(agency.version)}

    return await idempotency.run(body, produce)


@router.get("/{agency_id}", response_model=AgencyRead, summary="Read one agency",
            description="An agency outside the token's region and not above it answers 404 like an unknown one.",
            responses=problem_responses(401, 403, 404, 422))
async def get_agency(agency_id: uuid.UUID, service: AgencyServiceDep, principal: Reader,
                     response: Response) -> AgencyRead:
    agency = await service.get(agency_id, principal)
    response.headers["ETag"] = etag(agency.version)
    return agency


@router.patch("/{agency_id}", response_model=AgencyRead, summary="Change an agency's code or name",
              description="Needs `If-Match` with the current ETag (428 without, 412 when stale). Only agencies "
              "inside the token's region may be changed (403 for one above it). `level` and `region_code` are "
              "fixed. Emits `agency.updated`.",
              responses=problem_responses(401, 403, 404, 409, 412, 422, 428))
async def update_agency(agency_id: uuid.UUID, body: AgencyUpdate, service: AgencyServiceDep, principal: Writer,
                        response: Response, if_match: IfMatchHeader = None) -> AgencyRead:
    agency = await service.update(agency_id, body, principal, expected_version=expected_version(if_match))
    response.headers["ETag"] = etag(agency.version)
    return agency
