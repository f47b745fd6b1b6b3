"""change_request and its steps. The payload is written once, at submission, and never edited."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    orm,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from targeting.database import Base
from targeting.households.models import REGION_COLLATION


class ChangeKind(StrEnum):
    new_household = "new_household"
    update_household = "update_household"
    deactivate_household = "deactivate_household"
    add_member = "add_member"
    update_member = "update_member"


class ChangeStatus(StrEnum):
    submitted = "submitted"
    verified = "verified"
    approved = "approved"
    rejected = "rejected"


class ChangeSource(StrEnum):
    operator = "operator"
    citizen = "citizen"
    musdes = "musdes"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class ChangeRequest(Base):
    __tablename__ = "change_request"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ChangeKind), name="kind_known"),
        CheckConstraint(_one_of("status", ChangeStatus), name="status_known"),
        CheckConstraint(_one_of("source", ChangeSource), name="source_known"),
        Index("ix_change_request_region_code_id", "region_code", "id"),
        Index("ix_change_request_status_id", "status", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(12))
    # The target; for new_household / add_member, the household / member created on approval.
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(String(13, collation=REGION_COLLATION))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reason: Mapped[str] = mapped_column(Text)
    document_ref: Mapped[str | None] = mapped_column(String(200))
    # The target's version when the request was submitted; approval refuses if it has moved on.
    target_version: Mapped[int | None] = mapped_column(Integer)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    events: Mapped[list[ChangeRequestEvent]] = orm.relationship(
        lazy="raise", order_by="ChangeRequestEvent.id", viewonly=True)


class ChangeRequestEvent(Base):
    """One step of a request's life: who (client and token region), when, and the note they gave."""

    __tablename__ = "change_request_event"
    __table_args__ = (Index("ix_change_request_event_change_request_id", "change_request_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    change_request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("change_request.id"))
    action: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(64))
    actor_region: Mapped[str] = mapped_column(String(13))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
