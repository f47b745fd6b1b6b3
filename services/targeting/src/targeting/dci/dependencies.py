"""Wiring for the DCI routes: registry:read tokens, the request session, settings and the callback policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kit.auth import Principal, require
from kit.database import SessionDep
from targeting.dci.service import DciService
from targeting.dci.status import DciStatusService

Reader = Annotated[Principal, Depends(require("registry:read"))]


async def search_service(request: Request, session: SessionDep, principal: Reader) -> DciService:
    return DciService(session, principal, request.app.state.settings, request.app.state.dci_callbacks.policy)


async def status_service(request: Request, session: SessionDep, principal: Reader) -> DciStatusService:
    return DciStatusService(session, principal, request.app.state.settings, request.app.state.dci_callbacks.policy)


SearchServiceDep = Annotated[DciService, Depends(search_service)]
StatusServiceDep = Annotated[DciStatusService, Depends(status_service)]
