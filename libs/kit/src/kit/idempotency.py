"""Idempotency-Key for creating POSTs: the first response is stored and replayed; the same key with another
body is refused. Each service keeps the records in its own table with the columns used here.

A key is remembered for RETENTION (24 hours, as payment APIs do): long enough for any client's retries, and the
table stays the size of a day's keys. After that the same key starts a new request. Expired records are
deleted a few at a time by the requests that claim new keys, so no job has to run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kit.problems import UnprocessableError

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, pattern=r"^[\x21-\x7e]+$",
           description="Makes the POST safe to retry: a repeat with the same key and body within 24 hours "
           "returns the first response; the same key with another body answers 422."),
]

RETENTION = timedelta(hours=24)
PURGE_BATCH = 100


class IdempotencyKeyReusedError(UnprocessableError):
    slug, title = "idempotency-key-reused", "Idempotency key reused"


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


Produce = Callable[[], Awaitable[tuple[int, Any, dict[str, str]]]]


async def run_idempotent(
    session: AsyncSession, model: Any, *, client_id: str, key: str | None, request_fingerprint: str,
    produce: Produce,
) -> JSONResponse:
    """Run `produce` once per (client, key). A concurrent repeat waits on the key's row until the first
    transaction ends, then replays what it stored (or runs itself if the first rolled back)."""
    if key is None:
        status, body, headers = await produce()
        return JSONResponse(body, status_code=status, headers=headers)
    await _forget_expired(session, model, client_id=client_id, key=key)
    claimed = await session.execute(
        insert(model).values(client_id=client_id, key=key, fingerprint=request_fingerprint)
        .on_conflict_do_nothing().returning(model.key)
    )
    if claimed.first() is None:
        stored = (await session.execute(
            select(model).where(model.client_id == client_id, model.key == key)
            .execution_options(populate_existing=True)
        )).scalar_one()
        if stored.fingerprint != request_fingerprint:
            raise IdempotencyKeyReusedError("This Idempotency-Key was used with a different request.")
        return JSONResponse(stored.body, status_code=stored.status_code,
                            headers={**(stored.headers or {}), "Idempotent-Replayed": "true"})
    status, body, headers = await produce()
    await session.execute(
        model.__table__.update()
        .where(model.client_id == client_id, model.key == key)
        .values(status_code=status, body=body, headers=headers)
    )
    return JSONResponse(body, status_code=status, headers=headers)


async def _forget_expired(session: AsyncSession, model: Any, *, client_id: str, key: str) -> None:
    """This key's record if it expired (the key starts afresh), and a bounded batch of other expired records,
    skipping rows another transaction holds."""
    cutoff = func.now() - RETENTION
    await session.execute(delete(model).where(model.client_id == client_id, model.key == key,
                                              model.created_at < cutoff))
    expired = (select(model.client_id, model.key).where(model.created_at < cutoff)
               .limit(PURGE_BATCH).with_for_update(skip_locked=True))
    await session.execute(delete(model).where(tuple_(model.client_id, model.key).in_(expired)))
