"""All SQL on deliveries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from programs.access import inside
from programs.deliveries.models import Delivery
from programs.deliveries.schemas import DeliveryCreate
from programs.enrollments.models import Enrollment
from programs.feed.repository import FeedRepository

# One statement for the whole batch; each delivery takes its household's region from the enrolment.
_DELIVER = """
WITH item AS (
    SELECT * FROM unnest(CAST(:household_ids AS uuid[]), CAST(:member_ids AS uuid[]), CAST(:dates AS date[]),
                         CAST(:values AS bigint[]), CAST(:quantities AS numeric[]), CAST(:units AS text[]))
        WITH ORDINALITY AS i(household_id, member_id, delivered_on, value_idr, quantity, unit, n)
), inserted AS (
    INSERT INTO programs.delivery (program_id, household_id, member_id, region_code, delivered_on, value_idr,
                                   quantity, unit, recorded_by)
    SELECT :program_id, i.household_id, i.member_id, e.region_code, i.delivered_on, i.value_idr, i.quantity, i.unit,
           :recorded_by
    FROM item i
    JOIN LATERAL (SELECT region_code FROM programs.enrollment e
                  WHERE e.program_id = :program_id AND e.household_id = i.household_id LIMIT 1) e ON true
    ORDER BY i.n
    RETURNING id, household_id, member_id, region_code, delivered_on, value_idr, quantity, unit, recorded_at
), feed AS (
    INSERT INTO programs.feed_entry (type, entity_id, region_code, data)
    SELECT 'delivery.created', id::text, region_code, jsonb_build_object(
        'id', id, 'program_id', CAST(:program_id AS uuid), 'household_id', household_id, 'member_id', member_id,
        'region_code', region_code, 'delivered_on', delivered_on, 'value_idr', value_idr, 'quantity', quantity,
        'unit', unit, 'recorded_at', recorded_at)
    FROM inserted ORDER BY id
)
SELECT count(*) AS created, coalesce(sum(value_idr), 0) AS value_idr FROM inserted
"""


class DeliveryRepository:
    def __init__(self, session: AsyncSession, feed: FeedRepository) -> None:
        self.session = session
        self.feed = feed

    async def enrolled(
        self, program_id: uuid.UUID, household_ids: Sequence[uuid.UUID], principal: Principal
    ) -> dict[uuid.UUID, set[uuid.UUID | None]]:
        """household_id -> the enrolled member ids (None for a household enrolment), inside the token's region."""
        rows = await self.session.execute(
            select(Enrollment.household_id, Enrollment.member_id).where(
                Enrollment.program_id == program_id, Enrollment.household_id.in_(list(set(household_ids))),
                inside(Enrollment.region_code, principal),
            )
        )
        found: dict[uuid.UUID, set[uuid.UUID | None]] = defaultdict(set)
        for household_id, member_id in rows.all():
            found[household_id].add(member_id)
        return found

    async def insert(
        self, program_id: uuid.UUID, items: Sequence[DeliveryCreate], *, recorded_by: str
    ) -> tuple[int, int]:
        await self.feed.lock()
        row = (await self.session.execute(text(_DELIVER), {
            "program_id": program_id, "recorded_by": recorded_by,
            "household_ids": [i.household_id for i in items], "member_ids": [i.member_id for i in items],
            "dates": [i.delivered_on for i in items], "values": [i.value_idr for i in items],
            "quantities": [i.quantity for i in items], "units": [i.unit for i in items],
        })).one()
        return int(row.created), int(row.value_idr)

    async def list(
        self, program_id: uuid.UUID, principal: Principal, *, after: int | None, limit: int
    ) -> Sequence[Delivery]:
        query = select(Delivery).where(Delivery.program_id == program_id, inside(Delivery.region_code, principal))
        if after is not None:
            query = query.where(Delivery.id > after)
        return (await self.session.scalars(query.order_by(Delivery.id).limit(limit))).all()
