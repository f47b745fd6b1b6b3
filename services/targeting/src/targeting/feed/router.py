"""GET /api/v1/feeds/registry: the change log by cursor, filtered to the caller's region.

The body is assembled from the JSON PostgreSQL already stores: at provincial scale (millions of entries for a
mirror or the reporting service to catch up on) re-validating each entry through Pydantic cost more than the
query. The response model below still describes the body exactly, and the tests compare the two.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from kit.auth import Principal, require
from kit.database import SessionDep
from kit.feedexport import RESPONSES as EXPORT_RESPONSES
from kit.feedexport import ExportFormat, ExportLimit, describe, export_response
from kit.pagination import FeedLimit
from kit.privacy import initials, mask_identifier
from kit.problems import problem_responses
from kit.requests import current_request_id
from targeting.audit.repository import AuditRepository
from targeting.feed.repository import EXPORT_COLUMNS, FeedRepository

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])


class FeedEntry(BaseModel):
    seq: int = Field(description="Only grows; a district's view may jump (other regions' entries are hidden).")
    type: str = Field(description="household.created | household.updated | household.deactivated | "
                      "member.created | member.updated")
    id: uuid.UUID = Field(description="The household's or member's id.")
    household_id: uuid.UUID
    region_code: str
    occurred_at: datetime
    change_request_id: uuid.UUID | None = None
    import_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(description="The record as it stood after the change (masked without pii:read).")


class FeedPage(BaseModel):
    items: list[FeedEntry]
    next_after: int = Field(description="Pass as `after` for the next page; equals `after` when nothing is new.")
    head: int = Field(description="The highest `seq` in the whole log when this page was read (0 when empty): "
                      "`head - next_after` bounds how far behind a reader is.")


def _masked(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for key in ("nik", "no_kk"):
        if key in data:
            data[key] = mask_identifier(data[key])
    if "name" in data:
        data["name"] = initials(data["name"])
    if "address" in data:
        data["address"] = None
    return data


def _masked_entry(entry_json: str) -> bytes:
    entry = orjson.loads(entry_json)
    entry["data"] = _masked(entry["data"])
    return orjson.dumps(entry)


@router.get("/registry", response_model=FeedPage, summary="Read the registry change feed",
            description="Entries in `seq` order after `after`. Writers append under a lock as the last step of "
            "their transaction, so sequence order is commit order: a reader that follows `next_after` never "
            "misses an entry it may see. Filtered to the token's region.",
            responses=problem_responses(401, 403, 422))
async def read_registry_feed(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("registry:read"))],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: FeedLimit = 100,
) -> Response:
    repository = FeedRepository(session)
    if principal.can_read_pii:
        page = await repository.read_page_audited(principal, after=after, limit=limit,
                                                  request_id=current_request_id.get())
        next_after = page.last_seq if page.entries else after
        return _page(page.items.encode(), next_after, max(page.head, next_after))
    rows = await repository.read_json(principal.region, after=after, limit=limit)
    head = await repository.head()
    next_after = rows[-1].seq if rows else after
    await AuditRepository(session).record_feed_read(principal, after=after, until=next_after)
    return _page(b",".join(_masked_entry(r.entry) for r in rows), next_after, max(head, next_after))


EXPORT_DESCRIPTION = describe(
    "The registry feed's entries after `after` (up to `limit`), for a reader far behind (a mirror or the "
    "reporting service catching up on millions of entries): one flat row per entry, no JSON to build or parse. "
    "The same order, region filter and no-skip guarantee as `GET /api/v1/feeds/registry`; the read is audited "
    "as one range. Needs `pii:read` (the rows carry NIK, No. KK and names unmasked; without it read the JSON "
    "feed, which masks).",
    EXPORT_COLUMNS,
    "`status` is the record's; `no_kk`, `address`, `welfare_decile` and `extreme_poor` are set on household "
    "entries, `nik`, `name` and `relationship` on member entries, the others are null.")


@router.get("/registry/export", summary="Export the registry feed in bulk", description=EXPORT_DESCRIPTION,
            response_class=Response, responses={**problem_responses(401, 403, 422), **EXPORT_RESPONSES})
async def export_registry_feed(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("registry:read", "pii:read"))],
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: ExportLimit = 50_000,
    format: ExportFormat = "text",
) -> Response:
    export = await FeedRepository(session).export(principal, after=after, limit=limit,
                                                  request_id=current_request_id.get(), format=format)
    return export_response(export.body, format=format, entries=export.entries, next_after=export.until,
                           head=export.head, columns=EXPORT_COLUMNS)


def _page(items: bytes, next_after: int, head: int) -> Response:
    return Response(content=b'{"items":[' + items + b'],"next_after":%d,"head":%d}' % (next_after, head),
                    media_type="application/json")
