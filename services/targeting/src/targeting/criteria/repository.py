"""All SQL that evaluates criteria: counts by area, and which of given households match."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.households.models import Household, Member
from targeting.households.repository import in_region
from targeting.regions.models import Region


def matching_households(predicate: ColumnElement[bool], region: str) -> ColumnElement[bool]:
    """The counting rule: active households in the region whose criteria are true."""
    return and_(Household.status == "active", in_region(Household.region_code, region), predicate)


class CriteriaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self, predicate: ColumnElement[bool], *, region: str, key_width: int | None
                    ) -> Sequence[tuple[str, str | None, int, int]]:
        """(area code, area name, households, members) per area, one statement. The predicate runs once
        (a CTE referenced twice is materialised); members are counted by joining the matches, so the planner
        picks index lookups for a few matches and one hash join for many."""
        key: Any = func.left(Household.region_code, key_width) if key_width else literal("")
        matched = select(Household.id, key.label("key")).where(matching_households(predicate, region)).cte("matched")
        per_area = union_all(
            select(matched.c.key, func.count().label("households"), literal(0, Integer).label("members"))
            .group_by(matched.c.key),
            select(matched.c.key, literal(0, Integer), func.count())
            .select_from(Member).join(matched, matched.c.id == Member.household_id)
            .where(Member.status == "active").group_by(matched.c.key),
        ).subquery()
        query = (
            select(per_area.c.key, Region.name, func.sum(per_area.c.households), func.sum(per_area.c.members))
            .outerjoin(Region, Region.code == per_area.c.key)
            .group_by(per_area.c.key, Region.name).order_by(per_area.c.key)
        )
        rows = await self.session.execute(query)
        return [(code, name, int(households), int(members)) for code, name, households, members in rows.all()]

    async def matching_ids(self, predicate: ColumnElement[bool], household_ids: Sequence[uuid.UUID], *,
                           region: str) -> set[uuid.UUID]:
        rows = await self.session.scalars(select(Household.id).where(
            Household.id.in_(list(household_ids)), matching_households(predicate, region)))
        return set(rows.all())
