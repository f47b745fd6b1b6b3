"""Fixtures of the programs tests: the registry the programs service checks households against (the real
targeting app), and a client whose requests really commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.programs.registry import RecordingTransport, Registry
from tests.targeting import factories


@contextmanager
def _registry_client(apps, transport: httpx.AsyncBaseTransport) -> Iterator[None]:  # type: ignore[no-untyped-def]
    state = apps.programs.state
    original = state.registry_http
    state.registry_http = httpx.AsyncClient(transport=transport, base_url="http://targeting")
    try:
        yield
    finally:
        state.registry_http = original


@pytest.fixture
async def registry(apps, connection, targeting, auth) -> AsyncIterator[Registry]:  # type: ignore[no-untyped-def]
    """The programs app's registry client, pointed at the real targeting app in this test's transaction."""
    recorder = RecordingTransport(httpx.ASGITransport(app=apps.targeting), apps.targeting.state.token_verifier)
    with _registry_client(apps, recorder):
        yield Registry(targeting, auth, recorder)


@pytest.fixture
async def committing(apps, engine) -> AsyncIterator[Committing]:  # type: ignore[no-untyped-def]
    """A client on the programs app with its real sessions: every request commits. Not for the rolled-back
    `connection` fixture's tests; whatever the test creates through it (households registered through the real
    targeting app included) is deleted afterwards."""
    transport = httpx.ASGITransport(app=apps.programs)
    async with httpx.AsyncClient(transport=transport, base_url="http://programs") as client, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.targeting), base_url="http://targeting") as reg:
        created = Committing(client, reg)
        try:
            yield created
        finally:
            async with engine.begin() as connection:
                await created.clean(connection)


class Committing:
    def __init__(self, client: httpx.AsyncClient, targeting: httpx.AsyncClient) -> None:
        self.client = client
        self.targeting = targeting
        self.agency_ids: list[str] = []
        self.program_ids: list[str] = []
        self.feed_entity_ids: list[str] = []
        self.household_ids: list[str] = []

    async def register_household(self, headers: dict[str, str], region_code: str) -> str:
        """A household registered (and committed) through the real targeting app; its id."""
        created = await factories.create(self.targeting, headers, region_code=region_code)
        self.household_ids.append(created["id"])
        return str(created["id"])

    async def clean(self, connection: AsyncConnection) -> None:
        params = {"programs": self.program_ids, "agencies": self.agency_ids, "entities": self.feed_entity_ids,
                  "households": self.household_ids}
        for statement in (
            "DELETE FROM programs.feed_entry WHERE entity_id = ANY(:entities) OR entity_id = ANY(:agencies) "
            "OR entity_id = ANY(:programs) OR data->>'program_id' = ANY(:programs)",
            "DELETE FROM programs.enrollment WHERE program_id::text = ANY(:programs)",
            "DELETE FROM programs.program WHERE id::text = ANY(:programs)",
            "DELETE FROM programs.agency WHERE id::text = ANY(:agencies)",
            "DELETE FROM targeting.registry_change WHERE household_id::text = ANY(:households)",
            "DELETE FROM targeting.member WHERE household_id::text = ANY(:households)",
            "DELETE FROM targeting.household WHERE id::text = ANY(:households)",
        ):
            await connection.execute(text(statement), params)
