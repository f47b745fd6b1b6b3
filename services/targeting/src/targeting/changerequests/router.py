"""/api/v1/change-requests: proposed registry changes and their verification and approval."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from kit.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from kit.pagination import Cursor, InvalidCursorError, Limit, Page, decode_cursor, encode_cursor
from kit.problems import problem_responses
from targeting.changerequests.dependencies import ApproveService, DecideService, ReadService, WriteService
from targeting.changerequests.models import ChangeKind, ChangeStatus
from targeting.changerequests.schemas import (
    ChangeRequestCreate,
    ChangeRequestNote,
    ChangeRequestRead,
    change_request_read,
)
from targeting.idempotency.models import IdempotencyKey
from targeting.regions.schemas import RegionCodeText

router = APIRouter(prefix="/api/v1/change-requests", tags=["change requests"])

LIFE_CYCLE = (" Life cycle: `submitted` -> `verified` (Dinas Sosial kab/kota, `registry:write`) -> `approved` "
              "(penetapan, `registry:approve`, never by the submitting client) or `rejected` (from submitted with "
              "`registry:write`, from verified with `registry:approve`; a note is required). Any other step "
              "answers 409 `change-request-transition`. A request is visible to tokens whose region contains "
              "its region (404 otherwise). Without `pii:read`, payloads are masked and the free-text reason and "
              "notes omitted.")


def _after(cursor: str | None) -> uuid.UUID | None:
    key = decode_cursor(cursor, arity=1)
    if key is None:
        return None
    try:
        return uuid.UUID(str(key[0]))
    except ValueError as exc:
        raise InvalidCursorError("The cursor is not one this API issued.") from exc


@router.post("", status_code=201, response_model=ChangeRequestRead, summary="Submit a change request",
             description="Proposes a registry change (usulan). The payload is validated with the same schema as "
             "the matching direct endpoint and frozen: it can never be edited, only approved or rejected. The "
             "target (household, or member for update_member) must exist in the caller's region and its "
             "current version is recorded, so approval can refuse a request whose target changed meanwhile. "
             "A new_household request lies in its payload's village, others in the target household's village; "
             "both must be inside the caller's region (403). Needs `registry:write`; `Idempotency-Key` makes a "
             "retry safe." + LIFE_CYCLE, responses=problem_responses(401, 403, 404, 409, 422))
async def submit_change_request(request: Request, data: ChangeRequestCreate, service: WriteService,
                                idempotency_key: IdempotencyKeyHeader = None) -> Any:
    async def produce() -> tuple[int, Any, dict[str, str]]:
        created = await service.submit(data)
        body = change_request_read(created, pii=service.principal.can_read_pii).model_dump(mode="json")
        return 201, body, {"Location": f"/api/v1/change-requests/{created.id}"}

    return await run_idempotent(
        service.session, IdempotencyKey, client_id=service.principal.client_id, key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, data.model_dump(mode="json")), produce=produce)


@router.get("", response_model=Page[ChangeRequestRead], summary="List change requests",
            description="Oldest first (a work queue), keyset-paginated; filters `status`, `kind`, `region` (an "
            "ancestor of the token's region is narrowed to it, a disjoint one answers 403). Needs "
            "`registry:read`." + LIFE_CYCLE, responses=problem_responses(401, 403, 422))
async def list_change_requests(service: ReadService, status: ChangeStatus | None = None,
                               kind: ChangeKind | None = None, region: RegionCodeText | None = None,
                               limit: Limit = 50, cursor: Cursor = None) -> Page[ChangeRequestRead]:
    rows = await service.list(region=region, status=status, kind=kind, after=_after(cursor), limit=limit + 1)
    pii = service.principal.can_read_pii
    items = [change_request_read(r, pii=pii) for r in rows[:limit]]
    return Page[ChangeRequestRead](items=items, next_cursor=encode_cursor([str(items[-1].id)])
                                   if len(rows) > limit else None)


@router.get("/{request_id}", response_model=ChangeRequestRead, summary="Read a change request",
            description="The frozen payload and every step taken (who, the client's region, when, note). Needs "
            "`registry:read`." + LIFE_CYCLE, responses=problem_responses(401, 403, 404, 422))
async def get_change_request(request_id: uuid.UUID, service: ReadService) -> ChangeRequestRead:
    return change_request_read(await service.read(request_id), pii=service.principal.can_read_pii)


@router.post("/{request_id}/verify", response_model=ChangeRequestRead, summary="Verify a change request",
             description="Records the verification (verifikasi-validasi) of a submitted request, with an optional "
             "note. Needs `registry:write`." + LIFE_CYCLE, responses=problem_responses(401, 403, 404, 409, 422))
async def verify_change_request(request_id: uuid.UUID, body: ChangeRequestNote, service: WriteService
                                ) -> ChangeRequestRead:
    return change_request_read(await service.verify(request_id, body.note), pii=service.principal.can_read_pii)


@router.post("/{request_id}/approve", response_model=ChangeRequestRead, summary="Approve and apply a change request",
             description="Adopts a verified request and applies it in the same transaction through the same rules "
             "as the direct endpoints (NIK/No. KK checks, one head, uniqueness...: their 409/422 answers leave the "
             "request verified). Feed entries of the change carry `change_request_id`. The submitting client "
             "cannot approve (403 `self-approval`). If the target's version differs from the one recorded at "
             "submission, nothing is applied and the answer is 409 `change-request-stale`: reject the request and "
             "submit a new one against the current record. Needs `registry:approve`." + LIFE_CYCLE,
             responses=problem_responses(401, 403, 404, 409, 422))
async def approve_change_request(request_id: uuid.UUID, body: ChangeRequestNote, service: ApproveService
                                 ) -> ChangeRequestRead:
    return change_request_read(await service.approve(request_id, body.note), pii=service.principal.can_read_pii)


@router.post("/{request_id}/reject", response_model=ChangeRequestRead, summary="Reject a change request",
             description="Closes a submitted or verified request without applying it; `note` (why) is required "
             "(422 otherwise)." + LIFE_CYCLE, responses=problem_responses(401, 403, 404, 409, 422))
async def reject_change_request(request_id: uuid.UUID, body: ChangeRequestNote, service: DecideService
                                ) -> ChangeRequestRead:
    return change_request_read(await service.reject(request_id, body.note), pii=service.principal.can_read_pii)
