"""Partner use cases."""

from __future__ import annotations

import uuid

from kit.auth import Principal
from kit.ids import uuid7
from programs.feed.models import FeedEventType
from programs.feed.repository import FeedRepository
from programs.partners.errors import PartnerNotFoundError, PartnerOutsideRegionError
from programs.partners.models import Partner
from programs.partners.repository import PartnerRepository
from programs.partners.schemas import PartnerCreate, PartnerRead


class PartnerService:
    def __init__(self, repository: PartnerRepository, feed: FeedRepository) -> None:
        self.repository = repository
        self.feed = feed

    async def create(self, body: PartnerCreate, principal: Principal) -> PartnerRead:
        region = body.region_code or principal.region
        if not principal.covers(region):
            raise PartnerOutsideRegionError(f"Region {region} lies outside this client's region {principal.region}.")
        partner = await self.repository.add(Partner(
            id=uuid7(), name=body.name, kind=body.kind.value, region_code=region, created_by=principal.client_id,
        ))
        read = PartnerRead.model_validate(partner)
        await self.feed.append(FeedEventType.partner_created, str(partner.id), region, read.model_dump(mode="json"))
        return read

    async def get(self, partner_id: uuid.UUID, principal: Principal) -> PartnerRead:
        partner = await self.repository.get(partner_id, principal)
        if partner is None:
            raise PartnerNotFoundError(f"No partner {partner_id}.")
        return PartnerRead.model_validate(partner)

    async def list(
        self, principal: Principal, *, kind: str | None, after: tuple[str, uuid.UUID] | None, limit: int
    ) -> list[PartnerRead]:
        rows = await self.repository.list(principal, kind=kind, after=after, limit=limit)
        return [PartnerRead.model_validate(p) for p in rows]
