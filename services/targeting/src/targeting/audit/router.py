"""GET /api/v1/audit: the personal-data audit trail, for administrators."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from kit.auth import Principal, require
from kit.database import SessionDep
from kit.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from kit.problems import UnprocessableError, problem_responses
from targeting.audit.repository import AuditRepository

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"


class AuditEventRead(BaseModel):
    id: int
    at: datetime
    client_id: str
    action: str
    record_type: str
    record_ids: list[uuid.UUID]
    request_id: str | None
    pii_visible: bool
    feed_after: int | None = Field(description="A feed read: it returned the entries with `feed_after < seq <= "
                                   "feed_until` in `region_code` (and empty `record_ids`).")
    feed_until: int | None
    region_code: str | None = Field(description="The region the acting token was bound to (for a feed read, the "
                                    "region its range covers); null on events older than this field.")


@router.get("", response_model=Page[AuditEventRead], summary="Read the audit trail",
            description="Who read or wrote which personal records, when; newest first. Needs the `admin` scope. "
            "A token below the province reads the events of clients bound inside its region only. `record_id` "
            "finds the events that list the record and the feed reads whose range carried one of its changes.",
            responses=problem_responses(401, 403, 422))
async def list_audit_events(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("admin"))],
    client_id: Annotated[str | None, Query(max_length=64)] = None,
    record_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=48)] = None,
    since: Annotated[str | None, Query(pattern=RFC3339, description="RFC 3339 timestamp with offset.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AuditEventRead]:
    key = decode_cursor(cursor, arity=1)
    try:
        since_at = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
    except ValueError as exc:
        raise UnprocessableError("since is not a real timestamp.",
                                 errors=[{"parameter": "since", "in": "query", "detail": "invalid"}]) from exc
    rows = await AuditRepository(session).list(
        principal.region, client_id=client_id, record_id=record_id, action=action, since=since_at,
        before_id=int(key[0]) if key and str(key[0]).isdigit() else None, limit=limit + 1)
    items = [AuditEventRead.model_validate(r, from_attributes=True) for r in rows[:limit]]
    return Page[AuditEventRead](items=items, next_cursor=encode_cursor([items[-1].id]) if len(rows) > limit else None)
