"""All SQL on enrolments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from programs.access import inside
from programs.enrollments.models import Enrollment
from programs.feed.repository import FeedRepository


@dataclass(frozen=True, slots=True)
class Candidate:
    household_id: uuid.UUID
    member_id: uuid.UUID | None
    region_code: str
    matches_criteria: bool | None


# One statement for the whole batch: unnest the arrays, insert what is new (the partial unique index decides,
# also against concurrent batches), and append a feed entry per inserted row in the same transaction.
_ENROL = """
WITH candidate AS (
    SELECT * FROM unnest(CAST(:household_ids AS uuid[]), CAST(:member_ids AS uuid[]),
                         CAST(:region_codes AS text[]), CAST(:matches AS boolean[]))
        AS c(household_id, member_id, region_code, matches_criteria)
), inserted AS (
    INSERT INTO programs.enrollment (program_id, household_id, member_id, region_code, matches_criteria, enrolled_by)
    SELECT :program_id, household_id, member_id, region_code, matches_criteria, :enrolled_by FROM candidate
    ON CONFLICT {conflict} DO NOTHING
    RETURNING id, household_id, member_id, region_code, matches_criteria, enrolled_at
), feed AS (
    INSERT INTO programs.feed_entry (type, entity_id, region_code, data)
    SELECT 'enrollment.created', id::text, region_code, jsonb_build_object(
        'id', id, 'program_id', CAST(:program_id AS uuid), 'household_id', household_id, 'member_id', member_id,
        'region_code', region_code, 'matches_criteria', matches_criteria, 'enrolled_at', enrolled_at,
        'enrolled_by', CAST(:enrolled_by AS text))
    FROM inserted ORDER BY id
)
SELECT count(*) AS enrolled, count(*) FILTER (WHERE matches_criteria IS FALSE) AS off_target FROM inserted
"""
_BY_HOUSEHOLD = _ENROL.format(conflict="(program_id, household_id) WHERE member_id IS NULL")
_BY_MEMBER = _ENROL.format(conflict="(program_id, member_id) WHERE member_id IS NOT NULL")


class EnrollmentRepository:
    def __init__(self, session: AsyncSession, feed: FeedRepository) -> None:
        self.session = session
        self.feed = feed

    async def enrol(
        self, program_id: uuid.UUID, candidates: Sequence[Candidate], *, by_member: bool, enrolled_by: str
    ) -> tuple[int, int]:
        """(enrolled, off_target) among the candidates that were not enrolled yet."""
        if not candidates:
            return 0, 0
        await self.feed.lock()
        row = (await self.session.execute(text(_BY_MEMBER if by_member else _BY_HOUSEHOLD), {
            "program_id": program_id, "enrolled_by": enrolled_by,
            "household_ids": [c.household_id for c in candidates], "member_ids": [c.member_id for c in candidates],
            "region_codes": [c.region_code for c in candidates], "matches": [c.matches_criteria for c in candidates],
        })).one()
        return int(row.enrolled), int(row.off_target)

    async def list(
        self, program_id: uuid.UUID, principal: Principal, *, after: int | None, limit: int
    ) -> Sequence[Enrollment]:
        query = select(Enrollment).where(Enrollment.program_id == program_id, inside(Enrollment.region_code, principal))
        if after is not None:
            query = query.where(Enrollment.id > after)
        return (await self.session.scalars(query.order_by(Enrollment.id).limit(limit))).all()
