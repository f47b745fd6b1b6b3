"""Appending to and reading the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.requests import current_request_id
from targeting.audit.models import AuditEvent


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

    async def list(self, *, client_id: str | None, record_id: uuid.UUID | None, action: str | None,
                   since: datetime | None, before_id: int | None, limit: int) -> Sequence[AuditEvent]:
        query = select(AuditEvent)
        if client_id is not None:
            query = query.where(AuditEvent.client_id == client_id)
        if record_id is not None:
            query = query.where(AuditEvent.record_ids.contains([record_id]))
        if action is not None:
            query = query.where(AuditEvent.action == action)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if before_id is not None:
            query = query.where(AuditEvent.id < before_id)
        return (await self.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))).all()
