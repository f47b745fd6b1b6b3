"""/api/v1/programs/{id}/spending: record monthly spending (realisasi anggaran), and read it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kit.problems import problem_responses
from programs.access import Reader, Writer
from programs.idempotency.dependencies import IdempotencyDep
from programs.spending.dependencies import SpendingServiceDep
from programs.spending.schemas import SpendingBatch, SpendingSummary

router = APIRouter(prefix="/api/v1/programs/{program_id}/spending", tags=["spending"])


@router.post("", response_model=SpendingSummary, summary="Record monthly spending",
             description="Records spending per month (`period` `YYYY-MM`, inside the programme's fiscal year; each "
             "month at most once per batch), all or nothing: a bad item answers 422 `invalid-spending` with a "
             "pointer and nothing is saved. A month recorded again replaces its amount (upsert). Only programmes "
             "of agencies inside the token's region (403 above it). Emits `spending.recorded` per month whose "
             "amount changed. Answers every recorded month. Supports `Idempotency-Key`.",
             responses=problem_responses(401, 403, 404, 422))
async def record_spending(
    program_id: uuid.UUID, body: SpendingBatch, service: SpendingServiceDep, principal: Writer,
    idempotency: IdempotencyDep,
) -> JSONResponse:
    async def produce() -> tuple[int, object, dict[str, str]]:
        summary = await service.record(program_id, body, principal)
        return 200, summary.model_dump(mode="json"), {}

    return await idempotency.run(body, produce)


@router.get("", response_model=SpendingSummary, summary="Read a programme's monthly spending",
            responses=problem_responses(401, 403, 404, 422))
async def get_spending(program_id: uuid.UUID, service: SpendingServiceDep, principal: Reader) -> SpendingSummary:
    return await service.summary(program_id, principal)
