"""audit_event: append-only, written in the same transaction as the access it records.

A read of the registry feed records the range of the change log it returned (`feed_after < seq <= feed_until`
within `region_code`) instead of listing every household: the log is append-only, so the range names the
same records for ever, and a catch-up over millions of entries costs one small row per page.

`region_code` is the region the acting token was bound to: a district's administrators read the events of its own
clients only, so the trail does not show one district the records of another."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_client_id_id", "client_id", "id"),
        Index("ix_audit_event_record_ids", "record_ids", postgresql_using="gin"),
        Index("ix_audit_event_feed_reads", "id", postgresql_where=text("feed_until IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    client_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    record_type: Mapped[str] = mapped_column(String(24))
    record_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    request_id: Mapped[str | None] = mapped_column(String(128))
    pii_visible: Mapped[bool]
    feed_after: Mapped[int | None] = mapped_column(BigInteger)
    feed_until: Mapped[int | None] = mapped_column(BigInteger)
    region_code: Mapped[str | None] = mapped_column(String(13, collation="C"))
