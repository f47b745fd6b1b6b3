"""All SQL on partners."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from programs.access import inside_or_above
from programs.partners.models import Partner


class PartnerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, partner: Partner) -> Partner:
        self.session.add(partner)
        await self.session.flush()
        await self.session.refresh(partner)
        return partner

    async def get(self, partner_id: uuid.UUID, principal: Principal) -> Partner | None:
        query = select(Partner).where(Partner.id == partner_id, inside_or_above(Partner.region_code, principal))
        return (await self.session.scalars(query)).first()

    async def list(
        self, principal: Principal, *, kind: str | None, after: tuple[str, uuid.UUID] | None, limit: int
    ) -> Sequence[Partner]:
        query = select(Partner).where(inside_or_above(Partner.region_code, principal))
        if kind is not None:
            query = query.where(Partner.kind == kind)
        if after is not None:
            query = query.where(tuple_(Partner.name, Partner.id) > tuple_(*after))
        return (await self.session.scalars(query.order_by(Partner.name, Partner.id).limit(limit))).all()

    async def visible_ids(self, ids: Sequence[uuid.UUID], principal: Principal) -> set[uuid.UUID]:
        query = select(Partner.id).where(Partner.id.in_(list(ids)), inside_or_above(Partner.region_code, principal))
        return set((await self.session.scalars(query)).all())
