"""/api/v1/programs/{id}/deliveries: record a batch of deliveries (realisasi), and list them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kit.pagination import Cursor, Limit, Page, encode_cursor
from kit.problems import problem_responses
from programs.access import Reader, Writer
from programs.deliveries.dependencies import DeliveryServiceDep
from programs.deliveries.schemas import DeliveryBatch, DeliveryRead, DeliveryResult
from programs.idempotency.dependencies import IdempotencyDep
from programs.paging import keyset

router = APIRouter(prefix="/api/v1/programs/{program_id}/deliveries", tags=["deliveries"])


@router.post("", status_code=201, response_model=DeliveryResult, summary="Record deliveries",
             description="Records up to 10,000 deliveries at once, all or nothing: when any item is bad the answer "
             "is 422 `invalid-deliveries` with a pointer per bad field (`/3/delivered_on`) and nothing is saved. "
             "Each `delivered_on` must fall inside the programme's fiscal year (the calendar year, Asia/Jakarta "
             "dates), `value_idr` and `quantity` are not negative, and the household must be enrolled in the "
             "programme (and `member_id`, when given, an enrolled member). Only programmes of agencies inside "
             "the token's region take deliveries (403 above it); `closed` ones take none (409). Emits one "
             "`delivery.created` per delivery. Supports `Idempotency-Key`.",
             responses=problem_responses(401, 403, 404, 409, 422))
async def create_deliveries(
    program_id: uuid.UUID, body: DeliveryBatch, service: DeliveryServiceDep, principal: Writer,
    idempotency: IdempotencyDep,
) -> JSONResponse:
    async def produce() -> tuple[int, object, dict[str, str]]:
        result = await service.record(program_id, body, principal)
        return 201, result.model_dump(mode="json"), {}

    return await idempotency.run(body, produce)


@router.get("", response_model=Page[DeliveryRead], summary="List a programme's deliveries",
            description="Deliveries to households inside the token's region, oldest first. A programme the token "
            "cannot see answers 404.", responses=problem_responses(401, 403, 404, 422))
async def list_deliveries(
    program_id: uuid.UUID, service: DeliveryServiceDep, principal: Reader, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DeliveryRead]:
    after = keyset(cursor, int)
    rows = await service.list(program_id, principal, after=after[0] if after else None, limit=limit + 1)
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return Page[DeliveryRead](items=rows[:limit], next_cursor=next_cursor)
