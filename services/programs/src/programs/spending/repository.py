"""All SQL on spending."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from programs.feed.repository import FeedRepository
from programs.spending.models import Spending
from programs.spending.schemas import SpendingCreate

# Upsert per month; a month recorded again with the same amount changes nothing and emits nothing.
_RECORD = """
WITH item AS (
    SELECT * FROM unnest(CAST(:periods AS text[]), CAST(:amounts AS bigint[])) AS i(period, amount_idr)
), upserted AS (
    INSERT INTO programs.spending (program_id, period, amount_idr, recorded_by)
    SELECT :program_id, period, amount_idr, :recorded_by FROM item
    ON CONFLICT (program_id, period) DO UPDATE
        SET amount_idr = EXCLUDED.amount_idr, recorded_by = EXCLUDED.recorded_by, recorded_at = now()
        WHERE spending.amount_idr IS DISTINCT FROM EXCLUDED.amount_idr
    RETURNING period, amount_idr, recorded_at
)
INSERT INTO programs.feed_entry (type, entity_id, region_code, data)
SELECT 'spending.recorded', CAST(:program_id AS text) || ':' || period, :region_code, jsonb_build_object(
    'program_id', CAST(:program_id AS uuid), 'period', period, 'amount_idr', amount_idr, 'recorded_at', recorded_at,
    'recorded_by', CAST(:recorded_by AS text))
FROM upserted ORDER BY period
"""


class SpendingRepository:
    def __init__(self, session: AsyncSession, feed: FeedRepository) -> None:
        self.session = session
        self.feed = feed

    async def record(
        self, program_id: uuid.UUID, items: Sequence[SpendingCreate], *, region_code: str, recorded_by: str
    ) -> None:
        await self.feed.lock()
        await self.session.execute(text(_RECORD), {
            "program_id": program_id, "region_code": region_code, "recorded_by": recorded_by,
            "periods": [i.period for i in items], "amounts": [i.amount_idr for i in items],
        })

    async def list(self, program_id: uuid.UUID) -> Sequence[Spending]:
        query = select(Spending).where(Spending.program_id == program_id).order_by(Spending.period)
        return (await self.session.scalars(query)).all()
