"""Wiring of the delivery service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.database import SessionDep
from programs.deliveries.repository import DeliveryRepository
from programs.deliveries.service import DeliveryService
from programs.feed.repository import FeedRepository
from programs.programmes.dependencies import ProgramServiceDep


async def delivery_service(session: SessionDep, programs: ProgramServiceDep) -> DeliveryService:
    return DeliveryService(DeliveryRepository(session, FeedRepository(session)), programs)


DeliveryServiceDep = Annotated[DeliveryService, Depends(delivery_service)]
