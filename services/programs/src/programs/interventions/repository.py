"""All SQL on one household's interventions: enrolments and deliveries with their programmes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from programs.access import inside
from programs.deliveries.models import Delivery
from programs.enrollments.models import Enrollment
from programs.programmes.models import Program

_PROGRAM: tuple[Any, ...] = (
    Program.id.label("program_id"), Program.code.label("program_code"), Program.name.label("program_name"),
    Program.agency_id, Program.fiscal_year, Program.sector, Program.strategy,
)


class InterventionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enrollments(self, household_id: uuid.UUID, principal: Principal) -> Sequence[RowMapping]:
        query = (
            select(*_PROGRAM, Enrollment.id, Enrollment.member_id, Enrollment.region_code,
                   Enrollment.matches_criteria, Enrollment.enrolled_at)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.household_id == household_id, inside(Enrollment.region_code, principal))
            .order_by(Enrollment.enrolled_at, Enrollment.id)
        )
        return (await self.session.execute(query)).mappings().all()

    async def deliveries(self, household_id: uuid.UUID, principal: Principal) -> Sequence[RowMapping]:
        query = (
            select(*_PROGRAM, Delivery.id, Delivery.member_id, Delivery.region_code, Delivery.delivered_on,
                   Delivery.value_idr, Delivery.quantity, Delivery.unit)
            .join(Program, Program.id == Delivery.program_id)
            .where(Delivery.household_id == household_id, inside(Delivery.region_code, principal))
            .order_by(Delivery.delivered_on, Delivery.id)
        )
        return (await self.session.execute(query)).mappings().all()
