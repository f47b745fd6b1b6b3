"""/api/v1/programs/{id}/enrollments: enrol a batch of households or persons, and list enrolments."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kit.pagination import Cursor, Limit, Page, encode_cursor
from kit.problems import problem_responses
from programs.access import Reader, Writer
from programs.enrollments.dependencies import EnrollmentServiceDep
from programs.enrollments.schemas import EnrollmentCreate, EnrollmentRead, EnrollmentResult
from programs.idempotency.dependencies import IdempotencyDep
from programs.paging import keyset
from programs.registry.client import RegistryDep

router = APIRouter(prefix="/api/v1/programs/{program_id}/enrollments", tags=["enrollments"])

ENROL_RULES = """\
Send exactly one of `household_ids` or `niks` (up to 10,000 each) or `target_list_id`. Every ref is checked
against the registry (the targeting service) in bulk under the caller's own token, so the caller's region
applies there too. Refused refs come back in `rejected` with their position and a reason, checked in this order:

- `not_found`: no such household (or NIK) for the caller, households outside the token's region included;
- `inactive`: the household (or member) is not active in the registry;
- `out_of_scope`: the household lies outside the programme's agency region;
- `outside_priority_areas`: the programme names priority areas and the household lies in none.

Accepted refs are enrolled once per programme (`already_enrolled` counts those enrolled before, also by a
concurrent batch); `off_target` counts new enrolments that fail the programme's criteria. A `person`
programme enrols members and takes `niks` only; a `household` programme given NIKs enrols their households.
Repeated refs count once. Nothing is changed when the registry cannot be reached (503). Only programmes of
agencies inside the token's region take enrolments (403 above it), and `closed` ones take none (409).
Emits one `enrollment.created` per new enrolment. Supports `Idempotency-Key`.
"""


@router.post("", response_model=EnrollmentResult, summary="Enrol a batch into a programme",
             description=ENROL_RULES, responses=problem_responses(401, 403, 404, 409, 422, 502, 503))
async def create_enrollments(
    program_id: uuid.UUID, body: EnrollmentCreate, service: EnrollmentServiceDep, principal: Writer,
    registry: RegistryDep, idempotency: IdempotencyDep,
) -> JSONResponse:
    async def produce() -> tuple[int, object, dict[str, str]]:
        result = await service.enrol(program_id, body, principal, registry)
        return 200, result.model_dump(mode="json"), {}

    return await idempotency.run(body, produce)


@router.get("", response_model=Page[EnrollmentRead], summary="List a programme's enrolments",
            description="Enrolments of households inside the token's region, oldest first. A programme the token "
            "cannot see answers 404.", responses=problem_responses(401, 403, 404, 422))
async def list_enrollments(
    program_id: uuid.UUID, service: EnrollmentServiceDep, principal: Reader, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EnrollmentRead]:
    after = keyset(cursor, int)
    rows = await service.list(program_id, principal, after=after[0] if after else None, limit=limit + 1)
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page[EnrollmentRead](items=rows[:limit], next_cursor=next_cursor)
