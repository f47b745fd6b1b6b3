"""Delivery rules: all or nothing. Each item must fall inside the programme's fiscal year (a calendar year on
the Asia/Jakarta calendar: `delivered_on` is that calendar's date) and go to a household enrolled in the
programme (for person programmes, to an enrolled member when one is named); amounts are never negative."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from kit.auth import Principal
from programs.deliveries.errors import InvalidDeliveriesError
from programs.deliveries.repository import DeliveryRepository
from programs.deliveries.schemas import DeliveryCreate, DeliveryRead, DeliveryResult
from programs.programmes.errors import ProgramClosedError
from programs.programmes.models import ProgramStatus
from programs.programmes.service import ProgramService


class DeliveryService:
    def __init__(self, repository: DeliveryRepository, programs: ProgramService) -> None:
        self.repository = repository
        self.programs = programs

    async def record(
        self, program_id: uuid.UUID, items: Sequence[DeliveryCreate], principal: Principal
    ) -> DeliveryResult:
        program, _ = await self.programs.writable(program_id, principal)
        if program.status == ProgramStatus.closed:
            raise ProgramClosedError("The programme is closed: it takes no more deliveries.")
        enrolled = await self.repository.enrolled(program.id, [i.household_id for i in items], principal)
        errors: list[dict[str, str]] = []
        for index, item in enumerate(items):
            if item.delivered_on.year != program.fiscal_year:
                errors.append({"pointer": f"/{index}/delivered_on",
                               "detail": f"lies outside the programme's fiscal year {program.fiscal_year}"})
            members = enrolled.get(item.household_id)
            if members is None:
                errors.append({"pointer": f"/{index}/household_id", "detail": "is not enrolled in this programme"})
            elif item.member_id is not None and item.member_id not in members:
                errors.append({"pointer": f"/{index}/member_id", "detail": "is not enrolled in this programme"})
        if errors:
            raise InvalidDeliveriesError("Some deliveries are not valid; none was recorded. See errors.",
                                         errors=errors)
        created, value = await self.repository.insert(program.id, items, recorded_by=principal.client_id)
        return DeliveryResult(created=created, value_idr=value)

    async def list(
        self, program_id: uuid.UUID, principal: Principal, *, after: int | None, limit: int
    ) -> list[DeliveryRead]:
        program, _ = await self.programs.readable(program_id, principal)
        rows = await self.repository.list(program.id, principal, after=after, limit=limit)
        return [DeliveryRead.model_validate(r) for r in rows]
