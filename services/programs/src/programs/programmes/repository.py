"""All SQL on programmes, their partner links and their totals."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.ids import uuid7
from programs.access import inside, inside_or_above
from programs.agencies.models import Agency
from programs.deliveries.models import Delivery
from programs.enrollments.models import Enrollment
from programs.programmes.models import Program, ProgramPartner
from programs.spending.models import Spending

ProgramKey = tuple[int, str, uuid.UUID]


class ProgramRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, values: dict[str, Any]) -> Program | None:
        """None when the agency already has a programme with this code in this fiscal year."""
        result = await self.session.scalars(
            pg_insert(Program).values(id=uuid7(), version=1, **values)
            .on_conflict_do_nothing(index_elements=["agency_id", "fiscal_year", "code"]).returning(Program)
        )
        return result.first()

    async def get(
        self, program_id: uuid.UUID, principal: Principal, *, for_update: bool = False
    ) -> tuple[Program, Agency] | None:
        query = (select(Program, Agency).join(Agency, Agency.id == Program.agency_id)
                 .where(Program.id == program_id, inside_or_above(Agency.region_code, principal)))
        if for_update:
            query = query.with_for_update(of=Program)
        row = (await self.session.execute(query)).first()
        return (row[0], row[1]) if row else None

    async def list(
        self, principal: Principal, *, filters: dict[str, Any], after: ProgramKey | None, limit: int
    ) -> list[tuple[Program, Agency]]:
        query = (select(Program, Agency).join(Agency, Agency.id == Program.agency_id)
                 .where(inside_or_above(Agency.region_code, principal)))
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(Program, name) == value)
        if after is not None:
            query = query.where(tuple_(Program.fiscal_year, Program.code, Program.id) > tuple_(*after))
        query = query.order_by(Program.fiscal_year, Program.code, Program.id).limit(limit)
        return [(r[0], r[1]) for r in (await self.session.execute(query)).all()]

    async def update(self, program: Program, changes: dict[str, Any]) -> Program | None:
        """Apply `changes` and bump the version; None when the new code is taken."""
        statement = (
            update(Program).where(Program.id == program.id)
            .values(**changes, version=Program.version + 1, updated_at=func.now())
            .returning(Program).execution_options(populate_existing=True)
        )
        try:
            async with self.session.begin_nested():
                return (await self.session.scalars(statement)).one()
        except IntegrityError:
            return None

    async def set_partners(self, program_id: uuid.UUID, partner_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(delete(ProgramPartner).where(ProgramPartner.program_id == program_id))
        if partner_ids:
            await self.session.execute(insert(ProgramPartner),
                                       [{"program_id": program_id, "partner_id": p} for p in partner_ids])

    async def partner_ids(self, program_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        rows = await self.session.execute(
            select(ProgramPartner.program_id, ProgramPartner.partner_id)
            .where(ProgramPartner.program_id.in_(list(program_ids)))
            .order_by(ProgramPartner.program_id, ProgramPartner.partner_id)
        )
        found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for program_id, partner_id in rows.all():
            found[program_id].append(partner_id)
        return found

    async def totals(self, program_ids: Sequence[uuid.UUID], principal: Principal) -> dict[uuid.UUID, dict[str, int]]:
        """Spending of the whole programme; enrolments and deliveries of households inside the token's region."""
        ids = list(program_ids)
        totals: dict[uuid.UUID, dict[str, int]] = {i: {} for i in ids}
        spent = await self.session.execute(
            select(Spending.program_id, func.sum(Spending.amount_idr))
            .where(Spending.program_id.in_(ids)).group_by(Spending.program_id)
        )
        for program_id, amount in spent.all():
            totals[program_id]["spent_idr"] = int(amount)
        enrolled = await self.session.execute(
            select(Enrollment.program_id, func.count())
            .where(Enrollment.program_id.in_(ids), inside(Enrollment.region_code, principal))
            .group_by(Enrollment.program_id)
        )
        for program_id, count in enrolled.all():
            totals[program_id]["enrolled"] = int(count)
        delivered = await self.session.execute(
            select(Delivery.program_id, func.sum(Delivery.value_idr), func.count(func.distinct(Delivery.household_id)))
            .where(Delivery.program_id.in_(ids), inside(Delivery.region_code, principal))
            .group_by(Delivery.program_id)
        )
        for program_id, value, households in delivered.all():
            totals[program_id]["delivered_value_idr"] = int(value)
            totals[program_id]["reached"] = int(households)
        return totals
