"""All SQL on idempotency_key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from programs.idempotency.models import IdempotencyKey


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, client_id: str, key: str, request_hash: str) -> IdempotencyKey | None:
        """Insert the key for this transaction, or return the row another request stored under it.

        A concurrent request with the same key waits on the unique index until the first one commits
        (then sees its row) or rolls back (then claims the key itself).
        """
        claimed = await self.session.execute(
            insert(IdempotencyKey)
            .values(client_id=client_id, key=key, request_hash=request_hash)
            .on_conflict_do_nothing(index_elements=["client_id", "key"])
            .returning(IdempotencyKey.key)
        )
        if claimed.first() is not None:
            return None
        return (await self.session.scalars(
            select(IdempotencyKey).where(IdempotencyKey.client_id == client_id, IdempotencyKey.key == key)
        )).one()

    async def remember(
        self, client_id: str, key: str, *, status: int, body: Any, headers: dict[str, str]
    ) -> None:
        await self.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.client_id == client_id, IdempotencyKey.key == key)
            .values(response_status=status, response_body=body, response_headers=headers)
        )
