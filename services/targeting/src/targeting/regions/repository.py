"""All SQL on regions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from targeting.regions.models import Region, RegionDecree


def ancestors_of(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def visible_to(principal: Principal):  # type: ignore[no-untyped-def]
    """A token sees its region's subtree and the chain of ancestors above it."""
    region = principal.region
    return or_(Region.code == region, Region.code.startswith(region + ".", autoescape=True),
               Region.code.in_(ancestors_of(region)))


def _with_decree() -> Select[tuple[Region, str]]:
    return select(Region, RegionDecree.reference).join(RegionDecree, RegionDecree.id == Region.decree_id)


class RegionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, code: str, principal: Principal) -> tuple[Region, str] | None:
        row = (await self.session.execute(_with_decree().where(Region.code == code, visible_to(principal)))).first()
        return (row[0], row[1]) if row else None

    async def list(
        self, principal: Principal, *, parent: str | None, level: str | None, after: str | None, limit: int
    ) -> Sequence[tuple[Region, str]]:
        query = _with_decree().where(visible_to(principal))
        if parent is not None:
            query = query.where(Region.parent_code == parent)
        if level is not None:
            query = query.where(Region.level == level)
        if after is not None:
            query = query.where(and_(Region.code > after))
        rows = await self.session.execute(query.order_by(Region.code).limit(limit))
        return [(r[0], r[1]) for r in rows.all()]
