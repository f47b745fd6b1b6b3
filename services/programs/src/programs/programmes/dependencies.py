"""Wiring of the programme service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.database import SessionDep
from programs.agencies.repository import AgencyRepository
from programs.feed.repository import FeedRepository
from programs.partners.repository import PartnerRepository
from programs.programmes.repository import ProgramRepository
from programs.programmes.service import ProgramService


async def program_service(session: SessionDep) -> ProgramService:
    return ProgramService(ProgramRepository(session), AgencyRepository(session), PartnerRepository(session),
                          FeedRepository(session))


ProgramServiceDep = Annotated[ProgramService, Depends(program_service)]
