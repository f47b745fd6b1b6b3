"""Wiring of the partner service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.database import SessionDep
from programs.feed.repository import FeedRepository
from programs.partners.repository import PartnerRepository
from programs.partners.service import PartnerService


async def partner_service(session: SessionDep) -> PartnerService:
    return PartnerService(PartnerRepository(session), FeedRepository(session))


PartnerServiceDep = Annotated[PartnerService, Depends(partner_service)]
