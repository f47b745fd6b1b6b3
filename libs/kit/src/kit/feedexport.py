"""Bulk feed exports: a feed's entries as PostgreSQL COPY rows, for readers millions of entries behind.

A service exposes `GET /api/v1/feeds/<name>/export` next to its JSON feed, with the same order, region filter
and no-skip guarantee; the rows come straight from `COPY (SELECT ...) TO STDOUT` in the request's transaction,
and a reader loads them with `COPY ... FROM STDIN` without building or parsing an object per entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

# Entries per export: about 200 bytes each, so an answer stays within a few tens of megabytes.
EXPORT_MAX = 200_000

ExportFormat = Annotated[Literal["text", "binary"], Query(description="COPY text or binary.")]
ExportLimit = Annotated[int, Query(ge=1, le=EXPORT_MAX, description=f"At most {EXPORT_MAX:,} entries.")]

MEDIA_TYPES = {"text": "text/tab-separated-values; charset=utf-8", "binary": "application/octet-stream"}
COPY_OPTIONS = {"text": "", "binary": " (FORMAT binary)"}


@dataclass(frozen=True)
class Export:
    """One export: the COPY output, its row count, the `seq` it ends at (the next `after`), the feed's head."""

    body: bytes
    entries: int
    until: int
    head: int


def describe(summary: str, columns: Mapping[str, str], fields: str) -> str:
    """The OpenAPI description of an export: what it is, its typed columns, its two formats, its headers."""
    listed = ", ".join(f"`{name}` ({kind})" for name, kind in columns.items())
    return f"""{summary}

**Columns**, in order (also in the `Feed-Columns` header): {listed}. {fields}

**Body** (empty when there is no entry):
- `format=text` (default, `text/tab-separated-values`): PostgreSQL's COPY text format, no header line: one line
  per entry, fields separated by a tab, `\\N` for null, booleans `t`/`f`, and a backslash escaping tab
  (`\\t`), newline (`\\n`) and backslash (`\\\\`) inside values.
- `format=binary` (`application/octet-stream`): PostgreSQL's binary COPY format with the column types above,
  which `COPY ... FROM STDIN (FORMAT binary)` loads without parsing text.

**Headers**: `Feed-Next-After` (pass as `after` for the next export; equals `after` when nothing is new),
`Feed-Entries` (the rows in the body) and `Feed-Head` (the highest `seq` in the whole feed).
"""


RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The entries, one row each.",
    "content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
    "headers": {name: {"schema": {"type": kind}, "description": text} for name, kind, text in (
        ("Feed-Next-After", "integer", "The `after` of the next export."),
        ("Feed-Entries", "integer", "The number of rows in the body."),
        ("Feed-Head", "integer", "The highest `seq` in the whole feed."),
        ("Feed-Columns", "string", "The columns of each row, comma-separated."))},
}}


def export_response(body: bytes, *, format: str, entries: int, next_after: int, head: int,
                    columns: Mapping[str, str]) -> Response:
    return Response(content=body, media_type=MEDIA_TYPES[format], headers={
        "Feed-Next-After": str(next_after), "Feed-Entries": str(entries), "Feed-Head": str(max(head, next_after)),
        "Feed-Columns": ",".join(columns)})


async def copy_out(session: AsyncSession, statement: str, params: Mapping[str, Any]) -> bytes:
    """Run `COPY (...) TO STDOUT` on the session's connection, inside its transaction; the whole output."""
    connection = await (await session.connection()).get_raw_connection()
    async with connection.driver_connection.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            statement, params) as copy:
        return b"".join([bytes(chunk) async for chunk in copy])


async def copy_in(connection: AsyncConnection, statement: str, data: bytes) -> None:
    """Run `COPY ... FROM STDIN` with `data` on `connection`, inside its transaction."""
    raw = await connection.get_raw_connection()
    async with raw.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        await copy.write(data)
