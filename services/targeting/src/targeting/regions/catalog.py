"""What validation needs from the region tree: known regency prefixes and existing villages."""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.regions.models import Region, RegionVersion


class RegionCatalog:
    """Regency prefixes change only with a decree: cache them per process for a few minutes."""

    def __init__(self, ttl_seconds: float = 300.0) -> None:
        self._ttl = ttl_seconds
        self._prefixes: frozenset[str] | None = None
        self._loaded_at = 0.0

    async def regency_prefixes(self, session: AsyncSession) -> frozenset[str]:
        """4-digit NIK/KK prefixes of every kab/kota, current or retired (old NIKs keep old codes)."""
        if self._prefixes is None or time.monotonic() - self._loaded_at > self._ttl:
            current = select(Region.code).where(Region.level == "regency")
            history = select(RegionVersion.code).where(RegionVersion.code.regexp_match(r"^\d{2}\.\d{2}$"))
            codes = (await session.scalars(union(current, history))).all()
            self._prefixes = frozenset(code.replace(".", "") for code in codes)
            self._loaded_at = time.monotonic()
        return self._prefixes

    @staticmethod
    async def current_villages(session: AsyncSession, codes: Iterable[str]) -> set[str]:
        wanted = list(set(codes))
        if not wanted:
            return set()
        rows = await session.scalars(select(Region.code).where(
            Region.code.in_(wanted), Region.level == "village", Region.retired_by_decree_id.is_(None)))
        return set(rows.all())
