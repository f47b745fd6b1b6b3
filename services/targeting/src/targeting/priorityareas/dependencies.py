"""Wiring for the priority-area routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.auth import Principal, current_principal, require
from kit.database import SessionDep
from kit.problems import ForbiddenError
from targeting.priorityareas.service import PriorityAreaService

Reader = Annotated[Principal, Depends(require("registry:read"))]


def approver(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """Official lists are recorded by whoever adopts registry decisions (`registry:approve`) or an admin."""
    if not (principal.has("registry:approve") or principal.has("admin")):
        raise ForbiddenError("This operation needs the scope registry:approve (or admin).")
    return principal


def reading_service(session: SessionDep, principal: Reader) -> PriorityAreaService:
    return PriorityAreaService(session, principal)


def designating_service(session: SessionDep, principal: Annotated[Principal, Depends(approver)]
                        ) -> PriorityAreaService:
    return PriorityAreaService(session, principal)


ReadService = Annotated[PriorityAreaService, Depends(reading_service)]
DesignateService = Annotated[PriorityAreaService, Depends(designating_service)]
