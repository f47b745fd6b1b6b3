"""Wiring for the change-request routes: each step states the scope it needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kit.auth import Principal, current_principal, require
from kit.database import SessionDep
from targeting.changerequests.service import ChangeRequestService

Reader = Annotated[Principal, Depends(require("registry:read"))]
Writer = Annotated[Principal, Depends(require("registry:write"))]
Approver = Annotated[Principal, Depends(require("registry:approve"))]
# Rejection's scope depends on the request's status (write while submitted, approve once verified).
Decider = Annotated[Principal, Depends(current_principal)]


def _service(request: Request, session: SessionDep, principal: Principal) -> ChangeRequestService:
    return ChangeRequestService(session, principal, request.app.state.region_catalog)


async def reading_service(request: Request, session: SessionDep, principal: Reader) -> ChangeRequestService:
    return _service(request, session, principal)


async def writing_service(request: Request, session: SessionDep, principal: Writer) -> ChangeRequestService:
    return _service(request, session, principal)


async def approving_service(request: Request, session: SessionDep, principal: Approver) -> ChangeRequestService:
    return _service(request, session, principal)


async def deciding_service(request: Request, session: SessionDep, principal: Decider) -> ChangeRequestService:
    return _service(request, session, principal)


ReadService = Annotated[ChangeRequestService, Depends(reading_service)]
WriteService = Annotated[ChangeRequestService, Depends(writing_service)]
ApproveService = Annotated[ChangeRequestService, Depends(approving_service)]
DecideService = Annotated[ChangeRequestService, Depends(deciding_service)]
