"""All SQL on priority areas: the ranking (one set-based statement) and the versioned designations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, case, cast, func, insert, literal, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kit.ids import uuid7
from targeting.households.models import Household
from targeting.households.repository import in_region
from targeting.priorityareas.models import PriorityAreaDecision, PriorityAreaDesignation
from targeting.regions.models import Region
from targeting.regions.schemas import AREA_CODE_WIDTH, AreaLevel


def ancestors_and_subtree(column: Any, region: str) -> Any:
    """Areas a token may see designations of: its subtree and the regions above it."""
    parts = region.split(".")
    return or_(in_region(column, region), column.in_([".".join(parts[:i]) for i in range(1, len(parts))]))


class PriorityAreaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ranking(self, *, region: str, level: AreaLevel, year: int, by_count: bool, after_rank: int,
                      limit: int) -> Sequence[tuple[str, str, int, int, Decimal | None, int, bool]]:
        """Areas of `level` in `region`, worst first. Every current area is listed, those without active
        households last (rate null); retired codes only while households still carry them."""
        # Villages are the households' own codes; above them a prefix, with a literal width so that GROUP BY
        # sees the very same expression as the select list.
        area_code: Any = Household.region_code if level is AreaLevel.village else \
            func.left(Household.region_code, literal_column(str(AREA_CODE_WIDTH[level])))
        counts = (
            select(area_code.label("code"), func.count().label("households"),
                   func.count().filter(Household.extreme_poor).label("extreme"))
            .where(Household.status == "active", in_region(Household.region_code, region))
            .group_by(area_code).cte("counts")
        )
        households = func.coalesce(counts.c.households, 0)
        extreme = func.coalesce(counts.c.extreme, 0)
        rate = case((households > 0, cast(extreme, Numeric) / households), else_=None)
        areas = (
            select(Region.code, Region.name, households.label("households"), extreme.label("extreme"),
                   rate.label("rate"))
            .outerjoin(counts, counts.c.code == Region.code)
            .where(Region.level == level.value, in_region(Region.code, region),
                   or_(Region.retired_by_decree_id.is_(None), households > 0))
            .cte("areas")
        )
        by_rate = [areas.c.rate.desc().nulls_last(), areas.c.extreme.desc()]
        order = ([areas.c.extreme.desc(), areas.c.rate.desc().nulls_last()] if by_count else by_rate) + [areas.c.code]
        ranked = select(areas, func.row_number().over(order_by=order).label("rank")).subquery("ranked")
        designated = select(literal(1)).where(
            PriorityAreaDesignation.year == year, PriorityAreaDesignation.level == level.value,
            PriorityAreaDesignation.region_code == ranked.c.code,
            PriorityAreaDesignation.revoked_by_decision_id.is_(None),
        ).exists()
        rows = await self.session.execute(
            select(ranked.c.code, ranked.c.name, ranked.c.households, ranked.c.extreme, ranked.c.rate, ranked.c.rank,
                   designated).where(ranked.c.rank > after_rank).order_by(ranked.c.rank).limit(limit))
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    async def area_levels(self, codes: Sequence[str]) -> dict[str, str]:
        """code -> level, for current (not retired) regions among `codes`."""
        rows = await self.session.execute(select(Region.code, Region.level).where(
            Region.code.in_(list(codes)), Region.retired_by_decree_id.is_(None)))
        return {code: level for code, level in rows.all()}

    async def replace(self, *, year: int, level: AreaLevel, scope: str, codes: Sequence[str], decree: str | None,
                      recorded_by: str) -> uuid.UUID:
        decision_id = uuid7()
        await self.session.execute(insert(PriorityAreaDecision).values(
            id=decision_id, year=year, level=level.value, region_code=scope, decree=decree, recorded_by=recorded_by))
        await self.session.execute(update(PriorityAreaDesignation).where(
            PriorityAreaDesignation.year == year, PriorityAreaDesignation.level == level.value,
            PriorityAreaDesignation.revoked_by_decision_id.is_(None),
            in_region(PriorityAreaDesignation.region_code, scope),
        ).values(revoked_by_decision_id=decision_id))
        if codes:
            await self.session.execute(insert(PriorityAreaDesignation), [
                {"decision_id": decision_id, "region_code": code, "year": year, "level": level.value}
                for code in codes])
        return decision_id

    async def designations(self, *, year: int, visible_to: str, level: AreaLevel | None, history: bool,
                           decision_id: uuid.UUID | None = None) -> Sequence[Any]:
        made, revoked = aliased(PriorityAreaDecision), aliased(PriorityAreaDecision)
        d = PriorityAreaDesignation
        query = (
            select(d.region_code, Region.name, d.level, d.year, d.decision_id, made.decree, made.recorded_by,
                   made.recorded_at, revoked.recorded_at, revoked.recorded_by)
            .join(made, made.id == d.decision_id).join(Region, Region.code == d.region_code)
            .outerjoin(revoked, revoked.id == d.revoked_by_decision_id)
            .where(d.year == year, ancestors_and_subtree(d.region_code, visible_to))
        )
        if level is not None:
            query = query.where(d.level == level.value)
        if decision_id is not None:
            query = query.where(d.decision_id == decision_id)
        if not history:
            query = query.where(d.revoked_by_decision_id.is_(None))
        level_order = case({"regency": 1, "district": 2, "village": 3}, value=d.level)
        return (await self.session.execute(
            query.order_by(level_order, d.region_code, made.recorded_at))).all()
