"""All SQL on change requests. A request is visible to tokens whose region contains its region."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from kit.auth import Principal
from targeting.changerequests.models import ChangeRequest, ChangeRequestEvent
from targeting.households.repository import in_region


class ChangeRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, request: ChangeRequest) -> None:
        self.session.add(request)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def record_step(self, request_id: uuid.UUID, action: str, principal: Principal, note: str | None) -> None:
        await self.session.execute(insert(ChangeRequestEvent).values(
            change_request_id=request_id, action=action, actor=principal.client_id, actor_region=principal.region,
            note=note))

    async def get(self, request_id: uuid.UUID, region: str, *, for_update: bool = False) -> ChangeRequest | None:
        query = (
            select(ChangeRequest)
            .where(ChangeRequest.id == request_id, in_region(ChangeRequest.region_code, region))
            .options(selectinload(ChangeRequest.events)).execution_options(populate_existing=True)
        )
        if for_update:
            query = query.with_for_update(of=ChangeRequest)
        return (await self.session.scalars(query)).one_or_none()

    async def list(self, region: str, *, status: str | None, kind: str | None, after: uuid.UUID | None,
                   limit: int) -> Sequence[ChangeRequest]:
        query = select(ChangeRequest).where(in_region(ChangeRequest.region_code, region))
        if status is not None:
            query = query.where(ChangeRequest.status == status)
        if kind is not None:
            query = query.where(ChangeRequest.kind == kind)
        if after is not None:
            query = query.where(ChangeRequest.id > after)
        query = query.order_by(ChangeRequest.id).limit(limit).options(selectinload(ChangeRequest.events))
        return (await self.session.scalars(query)).all()
