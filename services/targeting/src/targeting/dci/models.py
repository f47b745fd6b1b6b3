"""dci_transaction: every DCI search message we accepted, what it asked and what we answered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text, UniqueConstraint, Uuid, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base


class DciTransaction(Base):
    """One search message. `id` is the correlation_id we hand back; `response` is the SearchResponse exactly
    as disclosed (masked when the caller lacked pii:read), kept so txn/status can answer and as a record of
    what left the registry. Finished ones are deleted after `dci_retention_days` (DciRepository.claim)."""

    __tablename__ = "dci_transaction"
    __table_args__ = (
        UniqueConstraint("client_id", "message_id"),
        Index("ix_dci_transaction_client_id_transaction_id", "client_id", "transaction_id"),
        Index("ix_dci_transaction_created_at", "created_at"),
        CheckConstraint("status IN ('rcvd', 'pdng', 'succ', 'rjct')", name="status_known"),
        CheckConstraint("mode IN ('sync', 'async')", name="mode_known"),
        CheckConstraint("delivery_status IN ('pending', 'delivered', 'failed')", name="delivery_status_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(99))
    message_id: Mapped[str] = mapped_column(String(128))
    client_id: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(13, collation="C"))
    pii_visible: Mapped[bool]
    mode: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(4))
    request: Mapped[dict[str, Any]] = mapped_column(JSONB)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    callback_url: Mapped[str | None] = mapped_column(Text)
    delivery_status: Mapped[str | None] = mapped_column(String(9))
    delivery_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    delivery_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
