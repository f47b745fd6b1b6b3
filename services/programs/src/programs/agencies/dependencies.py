"""Wiring of the agency service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.database import SessionDep
from programs.agencies.repository import AgencyRepository
from programs.agencies.service import AgencyService
from programs.feed.repository import FeedRepository


async def agency_service(session: SessionDep) -> AgencyService:
    return AgencyService(AgencyRepository(session), FeedRepository(session))


AgencyServiceDep = Annotated[AgencyService, Depends(agency_service)]
