"""Fixtures of the reporting tests: a consumer reading the real targeting and programs apps in the test's
transaction, started at the feeds' current heads so only what a test creates reaches the read models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from reporting.consumer.sources import Source, StaticCredentials
from reporting.consumer.worker import Consumer


def _source(app: object, name: str, authorization: str) -> Source:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")  # type: ignore[arg-type]
    return Source(http, StaticCredentials(authorization))


@pytest.fixture
def make_consumer(apps, connection: AsyncConnection, auth) -> Callable[..., Consumer]:  # type: ignore[no-untyped-def]
    """A consumer with the reporting app's session maker (bound to the test's transaction) and a province token
    with the scopes `sinergi run` gives the reporting client."""
    authorization = auth("18", "registry:read pii:read programs:read", client_id="reporting")["Authorization"]

    def make(**options: Any) -> Consumer:
        return Consumer(apps.reporting.state.sessionmaker,
                        targeting=_source(apps.targeting, "targeting", authorization),
                        programs=_source(apps.programs, "programs", authorization), prefetch=False, **options)

    return make


@pytest.fixture
async def consumer(make_consumer: Callable[..., Consumer], connection: AsyncConnection) -> AsyncIterator[Consumer]:
    """Positioned at both feeds' heads: what earlier tests committed stays out of this test's figures."""
    await connection.execute(text("""
        INSERT INTO reporting.feed_position (feed, position) VALUES
            ('registry', (SELECT coalesce(max(seq), 0) FROM targeting.registry_change)),
            ('programs', (SELECT coalesce(max(seq), 0) FROM programs.feed_entry))
        ON CONFLICT (feed) DO UPDATE SET position = EXCLUDED.position
    """))
    yield make_consumer()


async def sync(consumer: Consumer) -> None:
    """Everything the background loop does once: both feeds to their heads, then regions and designations."""
    await consumer.catch_up("registry")
    await consumer.catch_up("programs")
    await consumer.sync_regions()
    await consumer.sync_designations()
