"""All SQL on the feed: appending in a change's transaction, and reading it by cursor.

Why a lock: a reader that follows `next_after` must never skip an entry, so an entry may only become
visible after every entry with a smaller `seq`. Sequence values are handed out when rows are inserted but
become visible when their transactions commit, in any order. Filtering on `txid < pg_snapshot_xmin(...)`
is not enough on its own: a transaction that took its xid early (an idempotency-key row, an enrolment
insert) and appends its entries late gets a larger `seq` than a younger transaction still in progress,
commits first, and the reader moves past the younger one's smaller `seq` for good. So writers append under
a transaction-scoped advisory lock held to their commit: `seq` order is commit order, and what a reader sees
is always a prefix. Appends happen last in each transaction, so the lock is held only for the append and
the commit, and no row lock is ever taken while it is held.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Text, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.feedexport import COPY_OPTIONS, Export, copy_out
from programs.access import ancestors_of, inside_or_above
from programs.feed.models import FeedEntry, FeedEventType

# pg_advisory_xact_lock key of the programs feed (bytes of "pgmsfeed"); no other lock in the database uses it.
FEED_LOCK_KEY = 0x70676D7366656564

# inside_or_above, for the COPY statement (psycopg binds it client-side).
_IN_SCOPE = ("(region_code = %(region)s OR region_code LIKE %(region_like)s "
             "OR region_code = ANY(CAST(%(ancestors)s AS text[])))")

# The export's columns, in order, with their types: the entry's envelope, enrolments and deliveries flattened
# into typed columns (millions of them), and `data` for the other records (a few hundred).
EXPORT_COLUMNS = {
    "seq": "bigint", "type": "text", "id": "text", "region_code": "text", "occurred_at": "timestamptz",
    "program_id": "uuid", "household_id": "uuid", "member_id": "uuid", "delivered_on": "date",
    "value_idr": "bigint", "data": "jsonb",
}
_FLAT = "('enrollment.created', 'delivery.created')"
_EXPORT_COPY = f"""
COPY (SELECT seq, type, entity_id, region_code, occurred_at, CAST(data ->> 'program_id' AS uuid),
             CAST(data ->> 'household_id' AS uuid), CAST(data ->> 'member_id' AS uuid),
             CAST(data ->> 'delivered_on' AS date), CAST(data ->> 'value_idr' AS bigint),
             CASE WHEN type IN {_FLAT} THEN NULL ELSE data END
      FROM programs.feed_entry
      WHERE seq > %(after)s AND seq <= %(until)s AND {_IN_SCOPE}
      ORDER BY seq) TO STDOUT"""  # noqa: S608 - composed of this module's constants
class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self) -> None:
        """Serialise appends until this transaction commits (see the module docstring)."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})

    async def append(self, type_: FeedEventType, entity_id: str, region_code: str, data: dict[str, Any]) -> None:
        await self.lock()
        self.session.add(FeedEntry(type=type_.value, entity_id=entity_id, region_code=region_code, data=data))
        await self.session.flush()

    async def append_many(self, type_: FeedEventType, entries: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """One multi-row INSERT for a batch of (entity_id, region_code, data)."""
        if not entries:
            return
        await self.lock()
        await self.session.execute(
            FeedEntry.__table__.insert(),
            [{"type": type_.value, "entity_id": e, "region_code": r, "data": d} for e, r, d in entries],
        )

    async def read_json(self, principal: Principal, *, after: int, limit: int) -> Sequence[Row[Any]]:
        """(seq, entry): each entry as the JSON text of the feed's wire format, built by PostgreSQL."""
        entry = func.json_build_object(
            "seq", FeedEntry.seq, "type", FeedEntry.type, "id", FeedEntry.entity_id,
            "region_code", FeedEntry.region_code, "occurred_at", FeedEntry.occurred_at, "data", FeedEntry.data,
        )
        query = (
            select(FeedEntry.seq, cast(entry, Text).label("entry"))
            .where(FeedEntry.seq > after, inside_or_above(FeedEntry.region_code, principal))
            .order_by(FeedEntry.seq)
            .limit(limit)
        )
        return (await self.session.execute(query)).all()

    async def export(self, principal: Principal, *, after: int, limit: int, format: str) -> Export:
        """Up to `limit` entries after `after` as COPY rows (EXPORT_COLUMNS). Writers append under the feed lock
        and commit at once, so no entry at or below `until` can appear after the bounds were read."""
        page = (select(FeedEntry.seq).where(FeedEntry.seq > after, inside_or_above(FeedEntry.region_code, principal))
                .order_by(FeedEntry.seq).limit(limit).subquery())
        head = select(func.coalesce(func.max(FeedEntry.seq), 0)).scalar_subquery()
        until, entries, head = (await self.session.execute(
            select(func.coalesce(func.max(page.c.seq), after), func.count(), head).select_from(page))).one()
        body = b""
        if until > after:
            body = await copy_out(self.session, _EXPORT_COPY + COPY_OPTIONS[format], {
                "after": after, "until": until, "region": principal.region,
                "region_like": principal.region + ".%", "ancestors": ancestors_of(principal.region)})
        return Export(body=body, entries=entries, until=until, head=head)

    async def head(self) -> int:
        return int((await self.session.execute(select(func.coalesce(func.max(FeedEntry.seq), 0)))).scalar_one())
