"""Target-list use cases: freeze what criteria select, read lists back, compare two lists."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.clock import today_jakarta
from kit.ids import uuid7
from kit.pagination import encode_cursor
from targeting.audit.repository import AuditRepository
from targeting.criteria.service import criteria_predicate
from targeting.targetlists.errors import TargetListNotFoundError
from targeting.targetlists.models import TargetList, TargetListHousehold
from targeting.targetlists.repository import TargetListRepository
from targeting.targetlists.schemas import TargetListCreate, TargetListDiff, TargetListDiffItem


class TargetListService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.lists = TargetListRepository(session)
        self.audit = AuditRepository(session)

    async def create(self, data: TargetListCreate) -> TargetList:
        as_of = data.as_of or today_jakarta()
        predicate = criteria_predicate(data.criteria, as_of)
        region = self.principal.narrow(data.region)
        created = await self.lists.create(
            list_id=uuid7(), name=data.name, criteria=data.criteria, region=region, as_of=as_of,
            predicate=predicate, created_by=self.principal.client_id)
        await self.audit.record(self.principal, "target_list.create", "target_list", [created.id])
        return created

    async def read(self, list_id: uuid.UUID) -> TargetList:
        found = await self.lists.get(list_id, self.principal.region)
        if found is None:
            raise TargetListNotFoundError(f"No target list {list_id}.")
        return found

    async def list(self, *, region: str | None, before: uuid.UUID | None, limit: int) -> Sequence[TargetList]:
        return await self.lists.list(self.principal.narrow(region), before=before, limit=limit)

    async def households(self, list_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
                         ) -> Sequence[TargetListHousehold]:
        await self.read(list_id)
        rows = await self.lists.households(list_id, after=after, limit=limit)
        await self.audit.record(self.principal, "target_list.households", "household", [r.household_id for r in rows])
        return rows

    async def diff(self, list_id: uuid.UUID, against: uuid.UUID, *, after: uuid.UUID | None, limit: int
                   ) -> TargetListDiff:
        mine, theirs = await self.read(list_id), await self.read(against)
        common = await self.lists.common_households(list_id, against)
        rows = await self.lists.difference(list_id, against, after=after, limit=limit + 1)
        items = [TargetListDiffItem(household_id=h, region_code=r, change=c) for h, r, c in rows[:limit]]
        return TargetListDiff(
            target_list_id=list_id, against=against, added=mine.households - common,
            removed=theirs.households - common, unchanged=common, items=items,
            next_cursor=encode_cursor([str(items[-1].household_id)]) if len(rows) > limit else None)
