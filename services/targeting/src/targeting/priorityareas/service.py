"""Priority-area use cases: rank areas by extreme poverty, record and read official designations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.pagination import encode_cursor
from targeting.priorityareas.errors import DesignationInvalidError, DesignationOutsideScopeError
from targeting.priorityareas.repository import PriorityAreaRepository
from targeting.priorityareas.schemas import (
    DesignationList,
    DesignationPut,
    DesignationRead,
    PriorityAreaRanking,
    PriorityAreaRead,
    RankingOrder,
)
from targeting.regions.schemas import AreaLevel


class PriorityAreaService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.areas = PriorityAreaRepository(session)

    async def ranking(self, *, year: int, level: AreaLevel, region: str | None, order: RankingOrder,
                      after_rank: int, limit: int) -> PriorityAreaRanking:
        scope = self.principal.narrow(region)
        rows = await self.areas.ranking(region=scope, level=level, year=year, by_count=order is RankingOrder.count,
                                        after_rank=after_rank, limit=limit + 1)
        items = [PriorityAreaRead(region_code=code, name=name, households=households, extreme_poor_households=extreme,
                                  extreme_poor_rate=float(rate) if rate is not None else None, rank=rank,
                                  designated=designated)
                 for code, name, households, extreme, rate, rank, designated in rows[:limit]]
        return PriorityAreaRanking(year=year, level=level, order=order, region=scope, items=items,
                                   next_cursor=encode_cursor([items[-1].rank]) if len(rows) > limit else None)

    async def designate(self, year: int, body: DesignationPut) -> DesignationList:
        codes = body.region_codes
        seen: set[str] = set()
        duplicates = []
        for index, code in enumerate(codes):
            if code in seen:
                duplicates.append({"pointer": f"/region_codes/{index}", "detail": "listed twice", "code": "duplicate"})
            seen.add(code)
        if duplicates:
            raise DesignationInvalidError("An area is listed twice.", errors=duplicates)
        outside = [{"pointer": f"/region_codes/{i}", "detail": "outside the client's region"}
                   for i, code in enumerate(codes) if not self.principal.covers(code)]
        if outside:
            raise DesignationOutsideScopeError(
                f"Areas outside this client's region {self.principal.region} cannot be designated by it.",
                errors=outside)
        levels = await self.areas.area_levels(codes)
        wrong = [{"pointer": f"/region_codes/{i}", "code": "region_unknown" if code not in levels else "wrong_level",
                  "detail": "no such current region" if code not in levels else f"a {levels[code]}, not a {body.level}"}
                 for i, code in enumerate(codes) if levels.get(code) != body.level.value]
        if wrong:
            raise DesignationInvalidError(f"Every area must be a current {body.level.value}.", errors=wrong)
        decision_id = await self.areas.replace(year=year, level=body.level, scope=self.principal.region, codes=codes,
                                               decree=body.decree, recorded_by=self.principal.client_id)
        rows = await self.areas.designations(year=year, visible_to=self.principal.region, level=body.level,
                                             history=False, decision_id=decision_id)
        return DesignationList(year=year, items=[_read(r) for r in rows])

    async def designations(self, *, year: int, level: AreaLevel | None, history: bool) -> DesignationList:
        rows = await self.areas.designations(year=year, visible_to=self.principal.region, level=level,
                                             history=history)
        return DesignationList(year=year, items=[_read(r) for r in rows])


def _read(row: tuple) -> DesignationRead:  # type: ignore[type-arg]
    code, name, level, year, decision_id, decree, by, at, revoked_at, revoked_by = row
    return DesignationRead(region_code=code, name=name, level=level, year=year, decision_id=decision_id,
                           decree=decree, designated_by=by, designated_at=at, revoked_at=revoked_at,
                           revoked_by=revoked_by)
