"""Spending rules: months inside the programme's fiscal year, each recorded at most once per batch; a month
recorded again replaces its amount. Spending belongs to the whole programme, so every client that sees the
programme sees it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from kit.auth import Principal
from programs.programmes.service import ProgramService
from programs.spending.errors import InvalidSpendingError
from programs.spending.repository import SpendingRepository
from programs.spending.schemas import SpendingCreate, SpendingRead, SpendingSummary


class SpendingService:
    def __init__(self, repository: SpendingRepository, programs: ProgramService) -> None:
        self.repository = repository
        self.programs = programs

    async def record(
        self, program_id: uuid.UUID, items: Sequence[SpendingCreate], principal: Principal
    ) -> SpendingSummary:
        program, agency = await self.programs.writable(program_id, principal)
        errors: list[dict[str, str]] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            if int(item.period[:4]) != program.fiscal_year:
                errors.append({"pointer": f"/{index}/period",
                               "detail": f"lies outside the programme's fiscal year {program.fiscal_year}"})
            elif item.period in seen:
                errors.append({"pointer": f"/{index}/period", "detail": "appears twice in this batch"})
            seen.add(item.period)
        if errors:
            raise InvalidSpendingError("Some spending is not valid; none was recorded. See errors.", errors=errors)
        await self.repository.record(program.id, items, region_code=agency.region_code,
                                     recorded_by=principal.client_id)
        return await self._summary(program.id)

    async def summary(self, program_id: uuid.UUID, principal: Principal) -> SpendingSummary:
        program, _ = await self.programs.readable(program_id, principal)
        return await self._summary(program.id)

    async def _summary(self, program_id: uuid.UUID) -> SpendingSummary:
        items = [SpendingRead.model_validate(s) for s in await self.repository.list(program_id)]
        return SpendingSummary(items=items, spent_idr=sum(i.amount_idr for i in items))
