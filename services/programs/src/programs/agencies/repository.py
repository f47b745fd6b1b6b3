"""All SQL on agencies."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.ids import uuid7
from programs.access import inside_or_above
from programs.agencies.models import Agency


class AgencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, values: dict[str, Any]) -> Agency | None:
        """None when the code is taken (the unique index decides, also between concurrent requests)."""
        result = await self.session.scalars(
            insert(Agency).values(id=uuid7(), **values)
            .on_conflict_do_nothing(index_elements=["code"]).returning(Agency)
        )
        return result.first()

    async def get(self, agency_id: uuid.UUID, principal: Principal, *, for_update: bool = False) -> Agency | None:
        query = select(Agency).where(Agency.id == agency_id, inside_or_above(Agency.region_code, principal))
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).first()

    async def list(
        self, principal: Principal, *, level: str | None, after: str | None, limit: int
    ) -> Sequence[Agency]:
        query = select(Agency).where(inside_or_above(Agency.region_code, principal))
        if level is not None:
            query = query.where(Agency.level == level)
        if after is not None:
            query = query.where(Agency.code > after)
        return (await self.session.scalars(query.order_by(Agency.code).limit(limit))).all()

    async def update(self, agency: Agency, changes: dict[str, Any]) -> Agency | None:
        """Apply `changes` and bump the version; None when the new code is taken."""
        statement = (
            update(Agency).where(Agency.id == agency.id)
            .values(**changes, version=Agency.version + 1, updated_at=func.now())
            .returning(Agency).execution_options(populate_existing=True)
        )
        try:
            async with self.session.begin_nested():
                return (await self.session.scalars(statement)).one()
        except IntegrityError:
            return None
