"""Wiring: a report service for the calling principal (reports:read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.auth import Principal, require
from kit.database import SessionDep
from reporting.reports.repository import ReportRepository
from reporting.reports.service import ReportService


async def _service(session: SessionDep,
                   principal: Annotated[Principal, Depends(require("reports:read"))]) -> ReportService:
    return ReportService(ReportRepository(session), principal)


ReportServiceDep = Annotated[ReportService, Depends(_service)]
