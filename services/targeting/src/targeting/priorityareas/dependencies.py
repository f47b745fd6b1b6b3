"""Wiring for the priority-area routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.auth import Principal, require
from kit.database import SessionDep
from targeting.priorityareas.service import PriorityAreaService

Reader = Annotated[Principal, Depends(require("registry:read"))]


approver = require("registry:approve")


async def reading_service(session: SessionDep, principal: Reader) -> PriorityAreaService:
    return PriorityAreaService(session, principal)


async def designating_service(session: SessionDep, principal: Annotated[Principal, Depends(approver)]
                        ) -> PriorityAreaService:
    return PriorityAreaService(session, principal)


ReadService = Annotated[PriorityAreaService, Depends(reading_service)]
DesignateService = Annotated[PriorityAreaService, Depends(designating_service)]
