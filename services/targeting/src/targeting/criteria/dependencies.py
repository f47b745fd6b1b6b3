"""Wiring for the targeting routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.auth import Principal, require
from kit.database import SessionDep
from targeting.criteria.service import CriteriaService

Reader = Annotated[Principal, Depends(require("registry:read"))]


async def criteria_service(session: SessionDep, principal: Reader) -> CriteriaService:
    return CriteriaService(session, principal)


CriteriaServiceDep = Annotated[CriteriaService, Depends(criteria_service)]
