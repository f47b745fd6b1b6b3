"""What validation needs from the region tree: known regency prefixes and existing villages.

The statements are module functions so the bulk import (a sync connection of its own) runs exactly the
queries the API runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import CompoundSelect, Select, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.regions.models import Region, RegionVersion


def regency_codes() -> CompoundSelect[tuple[str]]:
    """Every kab/kota code, current or retired (old NIKs keep old codes)."""
    current = select(Region.code).where(Region.level == "regency")
    history = select(RegionVersion.code).where(RegionVersion.code.regexp_match(r"^\d{2}\.\d{2}$"))
    return union(current, history)


def prefixes_of(codes: Iterable[str]) -> frozenset[str]:
    """'18.71' -> '1871': the 4-digit NIK/KK prefixes."""
    return frozenset(code.replace(".", "") for code in codes)


def current_villages(codes: Iterable[str] | None = None) -> Select[tuple[str]]:
    """Villages (desa/kelurahan) of the current tree; all of them when `codes` is None."""
    query = select(Region.code).where(Region.level == "village", Region.retired_by_decree_id.is_(None))
    return query if codes is None else query.where(Region.code.in_(list(codes)))


class RegionCatalog:
    """Regency prefixes change only with a decree: cache them per process for a few minutes."""

    def __init__(self, ttl_seconds: float = 300.0) -> None:
        self._ttl = ttl_seconds
        self._prefixes: frozenset[str] | None = None
        self._loaded_at = 0.0

    async def regency_prefixes(self, session: AsyncSession) -> frozenset[str]:
        if self._prefixes is None or time.monotonic() - self._loaded_at > self._ttl:
            self._prefixes = prefixes_of((await session.scalars(regency_codes())).all())
            self._loaded_at = time.monotonic()
        return self._prefixes

    @staticmethod
    async def current_villages(session: AsyncSession, codes: Iterable[str]) -> set[str]:
        wanted = list(set(codes))
        if not wanted:
            return set()
        return set((await session.scalars(current_villages(wanted))).all())
