"""Appending to and reading the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.requests import current_request_id
from targeting.audit.models import AuditEvent
from targeting.feed.models import RegistryChange


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, principal: Principal, action: str, record_type: str,
                     record_ids: Sequence[uuid.UUID]) -> None:
        if not record_ids:
            return
        await self.session.execute(insert(AuditEvent).values(
            client_id=principal.client_id, action=action, record_type=record_type, record_ids=list(record_ids),
            request_id=current_request_id.get(), pii_visible=principal.can_read_pii,
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

    async def list(self, *, client_id: str | None, record_id: uuid.UUID | None, action: str | None,
                   since: datetime | None, before_id: int | None, limit: int) -> Sequence[AuditEvent]:
        query = select(AuditEvent)
        if client_id is not None:
            query = query.where(AuditEvent.client_id == client_id)
        if record_id is not None:
            # Listed by id, or inside a feed range that carried one of the household's changes.
            in_range = exists().where(
                RegistryChange.seq > AuditEvent.feed_after, RegistryChange.seq <= AuditEvent.feed_until,
                RegistryChange.household_id == record_id,
                or_(RegistryChange.region_code == AuditEvent.region_code,
                    RegistryChange.region_code.startswith(AuditEvent.region_code + ".")))
            query = query.where(or_(AuditEvent.record_ids.contains([record_id]),
                                    and_(AuditEvent.feed_until.is_not(None), in_range)))
        if action is not None:
            query = query.where(AuditEvent.action == action)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        return (await self.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))).all()
