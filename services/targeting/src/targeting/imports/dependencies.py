"""Wiring for the import routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kit.auth import Principal, require
from kit.database import SessionDep
from targeting.imports.service import ImportService

Importer = Annotated[Principal, Depends(require("registry:import"))]


async def import_service(request: Request, session: SessionDep, principal: Importer) -> ImportService:
    return ImportService(session, principal, request.app.state.settings)


ImportServiceDep = Annotated[ImportService, Depends(import_service)]
