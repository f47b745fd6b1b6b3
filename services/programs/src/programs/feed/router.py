"""GET /api/v1/feeds/programs: every change of the programs service, in order, by cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.database import SessionDep
from kit.feedexport import RESPONSES as EXPORT_RESPONSES
from kit.feedexport import ExportFormat, ExportLimit, describe, export_response
from kit.pagination import FeedLimit
from kit.problems import problem_responses
from programs.access import Reader
from programs.feed.repository import EXPORT_COLUMNS, FeedRepository
from programs.feed.schemas import FeedPage

router = APIRouter(prefix="/api/v1/feeds/programs", tags=["feed"])

FEED_RULES = """\
Entries in `seq` order: `agency.created`, `agency.updated`, `partner.created`, `program.created`,
`program.updated`, `enrollment.created`, `delivery.created`, `spending.recorded`. Each carries the record as it
stands after the change (programmes with their agency's region and level; enrolments with `household_id` and
`region_code`; deliveries with `delivered_on` and `value_idr`; spending with `period` and `amount_idr`), enough
to mirror it. Restricted to the caller's region: agency, partner, programme and spending entries inside the
token's region or above it, enrolment and delivery entries of households inside it; so the `seq` values a client
sees may jump. `seq` only grows, and an entry becomes visible only after every entry with a smaller `seq`, so a
reader following `next_after` never misses one, even while writers commit concurrently.
"""


@router.get("", response_model=FeedPage, summary="Read the programs change feed",
            description=FEED_RULES, responses=problem_responses(401, 403, 422))
async def read_feed(
    session: SessionDep, principal: Reader, after: Annotated[int, Query(ge=0, le=2**62)] = 0, limit: FeedLimit = 50
) -> Response:
    # Reading needs no rules beyond the region filter the repository applies, so no service layer in between.
    # The body is the JSON PostgreSQL builds from the stored entries (FeedPage describes it): catching up on
    # millions of entries, per-entry model validation cost more than the query.
    repository = FeedRepository(session)
    rows = await repository.read_json(principal, after=after, limit=limit)
    head = await repository.head()
    next_after = rows[-1].seq if rows else after
    body = b'{"items":[' + b",".join(r.entry.encode() for r in rows) + b'],"next_after":%d,"head":%d}' % (
        next_after, max(head, next_after))
    return Response(content=body, media_type="application/json")


EXPORT_DESCRIPTION = describe(
    "The programs feed's entries after `after` (up to `limit`), for a reader far behind (a mirror or the "
    "reporting service catching up on millions of enrolments and deliveries): one flat row per entry. The same "
    "order, region filter and no-skip guarantee as `GET /api/v1/feeds/programs`.",
    EXPORT_COLUMNS,
    "`id` is the record's id as in the JSON feed. Enrolment and delivery entries are flattened: `program_id`, "
    "`household_id`, `member_id` (and `delivered_on`, `value_idr` for deliveries) with `data` null; the other "
    "entries carry their record in `data` (JSON), as the JSON feed does, and `program_id` for spending.")


@router.get("/export", summary="Export the programs feed in bulk", description=EXPORT_DESCRIPTION,
            response_class=Response, responses={**problem_responses(401, 403, 422), **EXPORT_RESPONSES})
async def export_feed(session: SessionDep, principal: Reader, after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                      limit: ExportLimit = 50_000, format: ExportFormat = "text") -> Response:
    export = await FeedRepository(session).export(principal, after=after, limit=limit, format=format)
    return export_response(export.body, format=format, entries=export.entries, next_after=export.until,
                           head=export.head, columns=EXPORT_COLUMNS)
