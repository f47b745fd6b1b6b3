"""Agency use cases: create inside the client's region, read inside or above it, patch with If-Match."""

from __future__ import annotations

import uuid

from kit.auth import Principal
from kit.concurrency import check_version
from programs.access import is_above
from programs.agencies.errors import (
    AgencyCodeTakenError,
    AgencyNotFoundError,
    AgencyOutsideRegionError,
    AgencyReadOnlyError,
)
from programs.agencies.models import Agency
from programs.agencies.repository import AgencyRepository
from programs.agencies.schemas import AgencyCreate, AgencyRead, AgencyUpdate
from programs.feed.models import FeedEventType
from programs.feed.repository import FeedRepository


def agency_read(agency: Agency) -> AgencyRead:
    return AgencyRead.model_validate(agency)


class AgencyService:
    def __init__(self, repository: AgencyRepository, feed: FeedRepository) -> None:
        self.repository = repository
        self.feed = feed

    async def create(self, body: AgencyCreate, principal: Principal) -> AgencyRead:
        if not principal.covers(body.region_code):
            raise AgencyOutsideRegionError(
                f"Region {body.region_code} lies outside this client's region {principal.region}."
            )
        agency = await self.repository.insert(body.model_dump(mode="json"))
        if agency is None:
            raise AgencyCodeTakenError(f"Agency code {body.code} is taken.")
        read = agency_read(agency)
        await self.feed.append(FeedEventType.agency_created, str(agency.id), agency.region_code,
                               read.model_dump(mode="json"))
        return read

    async def get(self, agency_id: uuid.UUID, principal: Principal) -> AgencyRead:
        agency = await self.repository.get(agency_id, principal)
        if agency is None:
            raise AgencyNotFoundError(f"No agency {agency_id}.")
        return agency_read(agency)

    async def list(self, principal: Principal, *, level: str | None, after: str | None, limit: int) -> list[AgencyRead]:
        return [agency_read(a) for a in await self.repository.list(principal, level=level, after=after, limit=limit)]

    async def update(
        self, agency_id: uuid.UUID, body: AgencyUpdate, principal: Principal, *, expected_version: int
    ) -> AgencyRead:
        agency = await self.repository.get(agency_id, principal, for_update=True)
        if agency is None:
            raise AgencyNotFoundError(f"No agency {agency_id}.")
        if is_above(principal, agency.region_code):
            raise AgencyReadOnlyError("This agency sits above the client's region: it may read it, not change it.")
        check_version(agency.version, expected_version)
        changes = body.changes()
        if not changes:
            return agency_read(agency)
        updated = await self.repository.update(agency, changes)
        if updated is None:
            raise AgencyCodeTakenError(f"Agency code {changes.get('code')} is taken.")
        read = agency_read(updated)
        await self.feed.append(FeedEventType.agency_updated, str(updated.id), updated.region_code,
                               read.model_dump(mode="json"))
        return read
