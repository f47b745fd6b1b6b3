"""All SQL on target lists. A list is visible when its region lies inside the caller's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Uuid, func, insert, literal, literal_column, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from targeting.criteria.compiler import active_member_count
from targeting.criteria.repository import matching_households
from targeting.feed.models import RegistryChange
from targeting.households.models import Household
from targeting.households.repository import in_region
from targeting.targetlists.models import TargetList, TargetListHousehold


class TargetListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, *, list_id: uuid.UUID, name: str, criteria: dict[str, Any], region: str, as_of: date,
                     predicate: ColumnElement[bool], created_by: str) -> TargetList:
        await self.session.execute(insert(TargetList).values(
            id=list_id, name=name, criteria=criteria, region_code=region, as_of=as_of, households=0, members=0,
            registry_seq=0, created_by=created_by))
        # One statement, so one snapshot: the frozen households and the feed head are read at the same instant,
        # and since feed entries are appended in commit order, registry_seq is exactly what the list reflects.
        frozen = insert(TargetListHousehold).from_select(
            ["target_list_id", "household_id", "region_code", "members"],
            select(literal(list_id, Uuid), Household.id, Household.region_code, active_member_count())
            .where(matching_households(predicate, region)),
        ).returning(TargetListHousehold.members).cte("frozen")
        await self.session.execute(update(TargetList).where(TargetList.id == list_id).values(
            households=select(func.count()).select_from(frozen).scalar_subquery(),
            members=select(func.coalesce(func.sum(frozen.c.members), 0)).scalar_subquery(),
            registry_seq=select(func.coalesce(func.max(RegistryChange.seq), 0)).scalar_subquery(),
        ))
        return await self.get(list_id, region, refresh=True)  # type: ignore[return-value]

    async def get(self, list_id: uuid.UUID, region: str, *, refresh: bool = False) -> TargetList | None:
        query = select(TargetList).where(TargetList.id == list_id, in_region(TargetList.region_code, region))
        if refresh:
            query = query.execution_options(populate_existing=True)
        return (await self.session.scalars(query)).one_or_none()

    async def list(self, region: str, *, before: uuid.UUID | None, limit: int) -> Sequence[TargetList]:
        query = select(TargetList).where(in_region(TargetList.region_code, region))
        if before is not None:
            query = query.where(TargetList.id < before)
        return (await self.session.scalars(query.order_by(TargetList.id.desc()).limit(limit))).all()

    async def households(self, list_id: uuid.UUID, *, after: uuid.UUID | None, limit: int
                         ) -> Sequence[TargetListHousehold]:
        query = select(TargetListHousehold).where(TargetListHousehold.target_list_id == list_id)
        if after is not None:
            query = query.where(TargetListHousehold.household_id > after)
        return (await self.session.scalars(query.order_by(TargetListHousehold.household_id).limit(limit))).all()

    async def common_households(self, list_id: uuid.UUID, against: uuid.UUID) -> int:
        mine, theirs = aliased(TargetListHousehold), aliased(TargetListHousehold)
        return int((await self.session.execute(
            select(func.count()).select_from(mine)
            .join(theirs, (theirs.target_list_id == against) & (theirs.household_id == mine.household_id))
            .where(mine.target_list_id == list_id)
        )).scalar_one())

    async def difference(self, list_id: uuid.UUID, against: uuid.UUID, *, after: uuid.UUID | None, limit: int
                         ) -> Sequence[tuple[uuid.UUID, str, str]]:
        """(household id, region, added|removed) in household-id order: two keyset range scans, each an
        anti-join on the other list's primary key, merged."""
        def only_in(mine_id: uuid.UUID, theirs_id: uuid.UUID, change: str) -> Any:
            mine, theirs = aliased(TargetListHousehold), aliased(TargetListHousehold)
            elsewhere = select(literal(1)).where(theirs.target_list_id == theirs_id,
                                                 theirs.household_id == mine.household_id).exists()
            query = select(mine.household_id, mine.region_code, literal(change).label("change")).where(
                mine.target_list_id == mine_id, ~elsewhere)
            if after is not None:
                query = query.where(mine.household_id > after)
            return query.order_by(mine.household_id).limit(limit)

        both = union_all(only_in(list_id, against, "added"), only_in(against, list_id, "removed")).subquery()
        rows = await self.session.execute(select(both).order_by(literal_column("household_id")).limit(limit))
        return [(hid, region, change) for hid, region, change in rows.all()]
