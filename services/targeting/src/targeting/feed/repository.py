"""Writing to and reading from the registry change log.

Ordering guarantee: a reader following `after` must never skip an entry, even when transactions that
drew their sequence numbers in one order commit in another. Writers therefore append under a
transaction-scoped advisory lock, as the last step before commit: sequence order is commit order, and
an entry with a higher seq is never visible before one with a lower seq. Services append last so the
lock is held only for the insert and the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Text, cast, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.feedexport import COPY_OPTIONS, Export, copy_out
from targeting.feed.models import RegistryChange
from targeting.households.repository import in_region

# Any constant shared by every writer of this log; the value is arbitrary (it spells "regf").
FEED_LOCK_KEY = 0x72656766


async def lock_feed(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})


_IN_REGION = "(region_code = :region OR region_code LIKE :region_like)"

# The audit row of a feed read: the range it returned, as AuditRepository.record_feed_read writes it.
_AUDIT_RANGE = """
audit AS (
    INSERT INTO targeting.audit_event (client_id, action, record_type, record_ids, request_id, pii_visible,
                                       feed_after, feed_until, region_code)
    SELECT :client_id, 'feed.read', 'household', '{}', :request_id, :pii, :after, max(seq), :region
    FROM page HAVING count(*) > 0
)"""

# The same entry as read_json's, and its audit row, in one statement.
_AUDITED_PAGE = f"""
WITH page AS MATERIALIZED (
    SELECT seq, json_build_object(
        'seq', seq, 'type', type, 'id', entity_id, 'household_id', household_id, 'region_code', region_code,
        'occurred_at', occurred_at, 'change_request_id', change_request_id, 'import_id', import_id,
        'data', data) AS entry
    FROM targeting.registry_change
    WHERE seq > :after AND {_IN_REGION}
    ORDER BY seq LIMIT :limit
), {_AUDIT_RANGE}
SELECT coalesce(string_agg(CAST(entry AS text), ',' ORDER BY seq), '') AS items, max(seq) AS last_seq,
       count(*) AS entries, (SELECT coalesce(max(seq), 0) FROM targeting.registry_change) AS head
FROM page
"""  # noqa: S608 - composed of this module's constants

# Where an export of up to :limit entries ends, audited in the same statement.
_EXPORT_RANGE = f"""
WITH page AS MATERIALIZED (
    SELECT seq FROM targeting.registry_change WHERE seq > :after AND {_IN_REGION} ORDER BY seq LIMIT :limit
), {_AUDIT_RANGE}
SELECT coalesce((SELECT max(seq) FROM page), :after) AS until, (SELECT count(*) FROM page) AS entries,
       (SELECT coalesce(max(seq), 0) FROM targeting.registry_change) AS head
"""  # noqa: S608 - composed of this module's constants

# The export's columns, in order, with their types (the binary format carries them; EXPORT_COLUMNS documents
# them): the entry's envelope, then the record's fields that a statistical mirror keeps, null where the
# record type has no such field.
EXPORT_COLUMNS = {
    "seq": "bigint", "type": "text", "id": "uuid", "household_id": "uuid", "region_code": "text",
    "occurred_at": "timestamptz", "change_request_id": "uuid", "import_id": "uuid", "status": "text",
    "no_kk": "text", "nik": "text", "name": "text", "relationship": "text", "address": "text",
    "welfare_decile": "smallint", "extreme_poor": "boolean",
}
_EXPORT_COPY = """
COPY (SELECT seq, type, entity_id, household_id, region_code, occurred_at, change_request_id, import_id,
             data ->> 'status', data ->> 'no_kk', data ->> 'nik', data ->> 'name', data ->> 'relationship',
             data ->> 'address', CAST(data ->> 'welfare_decile' AS smallint),
             CAST(data ->> 'extreme_poor' AS boolean)
      FROM targeting.registry_change
      WHERE seq > %(after)s AND seq <= %(until)s AND (region_code = %(region)s OR region_code LIKE %(region_like)s)
      ORDER BY seq) TO STDOUT"""


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, entries: Sequence[dict[str, Any]]) -> None:
        """Each entry: type, entity_id, household_id, region_code, data, and optionally client_id,
        change_request_id, import_id."""
        if not entries:
            return
        await lock_feed(self.session)
        await self.session.execute(insert(RegistryChange), list(entries))

    async def read_json(self, region: str, *, after: int, limit: int) -> Sequence[Row[Any]]:
        """(seq, household_id, entry): each entry as the JSON text of the feed's wire format, built by PostgreSQL."""
        entry = func.json_build_object(
            "seq", RegistryChange.seq, "type", RegistryChange.type, "id", RegistryChange.entity_id,
            "household_id", RegistryChange.household_id, "region_code", RegistryChange.region_code,
            "occurred_at", RegistryChange.occurred_at, "change_request_id", RegistryChange.change_request_id,
            "import_id", RegistryChange.import_id, "data", RegistryChange.data,
        )
        return (await self.session.execute(
            select(RegistryChange.seq, RegistryChange.household_id, cast(entry, Text).label("entry"))
            .where(RegistryChange.seq > after, in_region(RegistryChange.region_code, region))
            .order_by(RegistryChange.seq).limit(limit)
        )).all()

    async def read_page_audited(self, principal: Principal, *, after: int, limit: int,
                                request_id: str | None) -> Row[Any]:
        """The page as PostgreSQL assembles it (`items`: the entries' JSON joined by commas), with `last_seq`,
        `entries` and `head`, and the audit row of the read (the households it showed) written by the same
        statement: a reader catching up on millions of entries costs the service no per-entry work."""
        return (await self.session.execute(text(_AUDITED_PAGE), {
            "after": after, "limit": limit, "region": principal.region, "region_like": principal.region + ".%",
            "client_id": principal.client_id, "request_id": request_id, "pii": principal.can_read_pii,
        })).one()

    async def export(self, principal: Principal, *, after: int, limit: int, request_id: str | None,
                     format: str = "text") -> Export:
        """Up to `limit` entries after `after` in PostgreSQL's COPY text (or binary) format, EXPORT_COLUMNS,
        audited as one range. Writers append under the feed lock and commit at once, so no entry at or below
        `until` can appear after the bounds were read."""
        scope = {"region": principal.region, "region_like": principal.region + ".%"}
        bounds = (await self.session.execute(text(_EXPORT_RANGE), {
            "after": after, "limit": limit, "client_id": principal.client_id, "request_id": request_id,
            "pii": principal.can_read_pii, **scope})).one()
        body = b""
        if bounds.until > after:
            body = await copy_out(self.session, _EXPORT_COPY + COPY_OPTIONS[format],
                                  {"after": after, "until": bounds.until, **scope})
        return Export(body=body, entries=bounds.entries, until=bounds.until, head=bounds.head)

    async def head(self) -> int:
        return int((await self.session.execute(select(func.coalesce(func.max(RegistryChange.seq), 0)))).scalar_one())


def change(
    type_: str, *, entity_id: uuid.UUID, household_id: uuid.UUID, region_code: str, data: dict[str, Any],
    client_id: str | None, change_request_id: uuid.UUID | None = None, import_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {"type": type_, "entity_id": entity_id, "household_id": household_id, "region_code": region_code,
            "data": data, "client_id": client_id, "change_request_id": change_request_id, "import_id": import_id}
