"""Wiring of the spending service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.database import SessionDep
from programs.feed.repository import FeedRepository
from programs.programmes.dependencies import ProgramServiceDep
from programs.spending.repository import SpendingRepository
from programs.spending.service import SpendingService


async def spending_service(session: SessionDep, programs: ProgramServiceDep) -> SpendingService:
    return SpendingService(SpendingRepository(session, FeedRepository(session)), programs)


SpendingServiceDep = Annotated[SpendingService, Depends(spending_service)]
