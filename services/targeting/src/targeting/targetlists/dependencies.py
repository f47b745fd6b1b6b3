"""Wiring for the target-list routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.auth import Principal, require
from kit.database import SessionDep
from targeting.targetlists.service import TargetListService

Reader = Annotated[Principal, Depends(require("registry:read"))]


async def target_list_service(session: SessionDep, principal: Reader) -> TargetListService:
    return TargetListService(session, principal)


TargetListServiceDep = Annotated[TargetListService, Depends(target_list_service)]
