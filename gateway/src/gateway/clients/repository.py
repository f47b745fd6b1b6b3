"""All SQL on api_client."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.models import ApiClient


class ClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: str) -> ApiClient | None:
        return await self.session.get(ApiClient, client_id)

    async def add(self, client: ApiClient) -> ApiClient:
        self.session.add(client)
        await self.session.flush()
        return client

    async def list_all(self) -> list[ApiClient]:
        return list((await self.session.scalars(select(ApiClient).order_by(ApiClient.client_id))).all())

    async def revoke(self, client_id: str) -> bool:
        result = await self.session.execute(
            update(ApiClient)
            .where(ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
