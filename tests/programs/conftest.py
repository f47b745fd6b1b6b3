"""Fixtures of the programs tests: the registry the programs service checks households against, and a client
whose requests really commit (for concurrency)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.programs.fake_registry import FakeRegistry


@pytest.fixture
def registry(apps) -> Iterator[FakeRegistry]:  # type: ignore[no-untyped-def]
    """The programs app's registry client, pointed at a fake targeting service that verifies tokens like it."""
    fake = FakeRegistry(apps.targeting.state.token_verifier)
    state = apps.programs.state
    original = state.registry_http
    state.registry_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url="http://targeting")
    try:
        yield fake
    finally:
        state.registry_http = original


@pytest.fixture
async def committing(apps, engine) -> AsyncIterator[Committing]:  # type: ignore[no-untyped-def]
    """A client on the programs app with its real sessions: every request commits. Not for the rolled-back
    `connection` fixture's tests; whatever the test creates through it is deleted afterwards."""
    transport = httpx.ASGITransport(app=apps.programs)
    async with httpx.AsyncClient(transport=transport, base_url="http://programs") as client:
        created = Committing(client)
        try:
            yield created
        finally:
            async with engine.begin() as connection:
                await created.clean(connection)


class Committing:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.agency_ids: list[str] = []
        self.program_ids: list[str] = []
        self.feed_entity_ids: list[str] = []

    async def clean(self, connection: AsyncConnection) -> None:
        params = {"programs": self.program_ids, "agencies": self.agency_ids, "entities": self.feed_entity_ids}
        for statement in (
            "DELETE FROM programs.feed_entry WHERE entity_id = ANY(:entities) OR entity_id = ANY(:agencies) "
            "OR entity_id = ANY(:programs) OR data->>'program_id' = ANY(:programs)",
            "DELETE FROM programs.enrollment WHERE program_id::text = ANY(:programs)",
            "DELETE FROM programs.program WHERE id::text = ANY(:programs)",
            "DELETE FROM programs.agency WHERE id::text = ANY(:agencies)",
        ):
            await connection.execute(text(statement), params)
