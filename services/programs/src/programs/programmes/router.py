"""/api/v1/programs: list, register, read and change programmes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from kit.concurrency import IfMatchHeader, etag, expected_version
from kit.pagination import Cursor, Limit, Page, encode_cursor
from kit.problems import problem_responses
from programs.access import Reader, Writer
from programs.idempotency.dependencies import IdempotencyDep
from programs.paging import keyset
from programs.programmes.dependencies import ProgramServiceDep
from programs.programmes.models import ProgramStatus, Sector
from programs.programmes.schemas import ProgramCreate, ProgramRead, ProgramUpdate

router = APIRouter(prefix="/api/v1/programs", tags=["programs"])

TOTALS = ("`spent_idr` sums the programme's spending; `enrolled`, `reached` (households with at least one "
          "delivery) and `delivered_value_idr` count only households inside the token's region.")


@router.get("", response_model=Page[ProgramRead], summary="List programmes",
            description="Programmes of agencies inside the token's region and above it, ordered by fiscal year "
            "and code. " + TOTALS, responses=problem_responses(401, 403, 422))
async def list_programs(
    service: ProgramServiceDep, principal: Reader,
    agency_id: uuid.UUID | None = None,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    sector: Sector | None = None,
    status: ProgramStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ProgramRead]:
    after = keyset(cursor, int, str, uuid.UUID)
    filters = {"agency_id": agency_id, "fiscal_year": fiscal_year, "sector": sector, "status": status}
    rows = await service.list(principal, filters=filters, after=after, limit=limit + 1)  # type: ignore[arg-type]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor([last.fiscal_year, last.code, str(last.id)]) if last else None
    return Page[ProgramRead](items=rows[:limit], next_cursor=next_cursor)


@router.post("", status_code=201, response_model=ProgramRead, summary="Register a programme",
             description="Registers a programme of an agency inside the token's region (403 for an agency above "
             "it; 422 `unknown-agency` for one it cannot see). `code` is unique per agency and fiscal year (409). "
             "`priority_areas` must lie inside the agency's region and `partner_ids` name known partners (422 "
             "with a pointer per bad entry). `agency_id`, `fiscal_year` and `unit` are fixed once created. "
             "Emits `program.created`.", responses=problem_responses(401, 403, 409, 422))
async def create_program(body: ProgramCreate, service: ProgramServiceDep, principal: Writer,
                         idempotency: IdempotencyDep) -> JSONResponse:
    async def produce() -> tuple[int, object, dict[str, str]]:
        program = await service.create(body, principal)
        return 201, program.model_dump(mode="json"), {"Location": f"{router.prefix}/{program.id}",
                                                      "ETag": etag(program.version)}

    return await idempotency.run(body, produce)


@router.get("/{program_id}", response_model=ProgramRead, summary="Read one programme with its totals",
            description="A programme of an agency outside the token's region and not above it answers 404 like an "
            "unknown one. " + TOTALS, responses=problem_responses(401, 403, 404, 422))
async def get_program(program_id: uuid.UUID, service: ProgramServiceDep, principal: Reader,
                      response: Response) -> ProgramRead:
    program = await service.get(program_id, principal)
    response.headers["ETag"] = etag(program.version)
    return program


@router.patch("/{program_id}", response_model=ProgramRead, summary="Change a programme",
              description="Needs `If-Match` with the current ETag (428 without, 412 when stale). Only programmes of "
              "agencies inside the token's region may be changed (403 for one above it). Fields left out stay as "
              "they are; `criteria: null` removes the criteria; `partner_ids` replaces the list. `closed` "
              "programmes take no more enrolments or deliveries. Emits `program.updated`.",
              responses=problem_responses(401, 403, 404, 409, 412, 422, 428))
async def update_program(program_id: uuid.UUID, body: ProgramUpdate, service: ProgramServiceDep, principal: Writer,
                         response: Response, if_match: IfMatchHeader = None) -> ProgramRead:
    program = await service.update(program_id, body, principal,
                                   expected_version=expected_version(if_match))
    response.headers["ETag"] = etag(program.version)
    return program
