"""/api/v1/partners: list, register and read partners."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kit.pagination import Cursor, Limit, Page, encode_cursor
from kit.problems import problem_responses
from programs.access import Reader, Writer
from programs.idempotency.dependencies import IdempotencyDep
from programs.paging import keyset
from programs.partners.dependencies import PartnerServiceDep
from programs.partners.models import PartnerKind
from programs.partners.schemas import PartnerCreate, PartnerRead

router = APIRouter(prefix="/api/v1/partners", tags=["partners"])


@router.get("", response_model=Page[PartnerRead], summary="List partners",
            description="Partners registered inside the token's region or above it, ordered by name.",
            responses=problem_responses(401, 403, 422))
async def list_partners(
    service: PartnerServiceDep, principal: Reader, kind: PartnerKind | None = None, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PartnerRead]:
    after = keyset(cursor, str, uuid.UUID)
    rows = await service.list(principal, kind=kind, after=after, limit=limit + 1)
    last = rows[limit - 1] if len(rows) > limit else None
    return Page[PartnerRead](items=rows[:limit], next_cursor=encode_cursor([last.name, str(last.id)]) if last else None)


@router.post("", status_code=201, response_model=PartnerRead, summary="Register a partner",
             description="Registers a private-sector off-taker, NGO, state enterprise, cooperative or other partner "
             "that programmes link through `partner_ids`. `region_code` defaults to the token's region and must lie "
             "inside it (403). Emits `partner.created`.", responses=problem_responses(401, 403, 422))
async def create_partner(body: PartnerCreate, service: PartnerServiceDep, principal: Writer,
                         idempotency: IdempotencyDep) -> JSONResponse:
    async def produce() -> tuple[int, object, dict[str, str]]:
        partner = await service.create(body, principal)
        return 201, partner.model_dump(mode="json"), {"Location": f"{router.prefix}/{partner.id}"}

    return await idempotency.run(body, produce)


@router.get("/{partner_id}", response_model=PartnerRead, summary="Read one partner",
            responses=problem_responses(401, 403, 404, 422))
async def get_partner(partner_id: uuid.UUID, service: PartnerServiceDep, principal: Reader) -> PartnerRead:
    return await service.get(partner_id, principal)
