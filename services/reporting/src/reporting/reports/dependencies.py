"""Wiring: a report service for the calling principal (reports:read), reading one snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kit.auth import Principal, require
from reporting.reports.repository import ReportRepository
from reporting.reports.service import ReportService

SNAPSHOT = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}


async def snapshot_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session whose statements all read one snapshot of the database, read-only: a report's sections, and the
    feed positions it names as its snapshot, agree even when the consumer commits while the report is read.
    A session joined to a transaction its caller owns (the tests' shared connection) keeps that one's."""
    async with request.app.state.sessionmaker() as session:
        if not isinstance(session.bind, AsyncConnection):
            await session.connection(execution_options=SNAPSHOT)
        yield session


async def _service(session: Annotated[AsyncSession, Depends(snapshot_session, scope="function")],
                   principal: Annotated[Principal, Depends(require("reports:read"))]) -> ReportService:
    return ReportService(ReportRepository(session), principal)


ReportServiceDep = Annotated[ReportService, Depends(_service)]
