"""Appending to and reading the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import CompoundSelect, exists, insert, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kit.auth import PROVINCE_ROOT_CHARS, Principal
from kit.requests import current_request_id
from targeting.audit.models import AuditEvent
from targeting.feed.models import RegistryChange
from targeting.households.repository import in_region


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, principal: Principal, action: str, record_type: str,
                     record_ids: Sequence[uuid.UUID]) -> None:
        if not record_ids:
            return
        await self.session.execute(insert(AuditEvent).values(
            client_id=principal.client_id, action=action, record_type=record_type, record_ids=list(record_ids),
            request_id=current_request_id.get(), pii_visible=principal.can_read_pii, region_code=principal.region,
        ))

    async def record_feed_read(self, principal: Principal, *, after: int, until: int) -> None:
        """A read of the registry feed's entries `after < seq <= until` in the token's region."""
        if until <= after:
            return
        await self.session.execute(insert(AuditEvent).values(
            client_id=principal.client_id, action="feed.read", record_type="household", record_ids=[],
            request_id=current_request_id.get(), pii_visible=principal.can_read_pii, feed_after=after,
            feed_until=until, region_code=principal.region,
        ))

    async def list(self, region: str, *, client_id: str | None, record_id: uuid.UUID | None, action: str | None,
                   since: datetime | None, before_id: int | None, limit: int) -> Sequence[AuditEvent]:
        """Newest first. A token below the province reads only what clients bound inside its region did; a
        province token reads everything, events recorded before the acting region was kept included."""
        query = select(AuditEvent)
        if len(region) > PROVINCE_ROOT_CHARS:
            query = query.where(in_region(AuditEvent.region_code, region))
        if client_id is not None:
            query = query.where(AuditEvent.client_id == client_id)
        if record_id is not None:
            query = query.where(AuditEvent.id.in_(_naming(record_id)))
        if action is not None:
            query = query.where(AuditEvent.action == action)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        return (await self.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))).all()


def _naming(record_id: uuid.UUID) -> CompoundSelect:
    """Ids of the events that list the record (the GIN index), and of the feed reads whose range carried one of
    its changes within the reader's region (the few feed-read rows, each range scanned on the change log)."""
    listed, read = aliased(AuditEvent), aliased(AuditEvent)
    carried = exists().where(
        RegistryChange.seq > read.feed_after, RegistryChange.seq <= read.feed_until,
        RegistryChange.household_id == record_id,
        or_(RegistryChange.region_code == read.region_code,
            RegistryChange.region_code.startswith(read.region_code + ".")))
    return union_all(select(listed.id).where(listed.record_ids.contains([record_id])),
                     select(read.id).where(read.feed_until.is_not(None), carried))
