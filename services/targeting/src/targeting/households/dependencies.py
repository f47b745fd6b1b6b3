"""Wiring for the household routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kit.auth import Principal, require
from kit.database import SessionDep
from targeting.households.service import HouseholdService

Reader = Annotated[Principal, Depends(require("registry:read"))]
Writer = Annotated[Principal, Depends(require("registry:write"))]


def _service(request: Request, session: SessionDep, principal: Principal) -> HouseholdService:
    return HouseholdService(session, principal, request.app.state.region_catalog)


async def reading_service(request: Request, session: SessionDep, principal: Reader) -> HouseholdService:
    return _service(request, session, principal)


async def writing_service(request: Request, session: SessionDep, principal: Writer) -> HouseholdService:
    return _service(request, session, principal)


ReadService = Annotated[HouseholdService, Depends(reading_service)]
WriteService = Annotated[HouseholdService, Depends(writing_service)]
