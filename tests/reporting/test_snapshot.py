"""A report reads one snapshot: what other transactions commit while it is being read does not reach it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kit.database import create_engine, create_sessionmaker
from reporting.reports.dependencies import snapshot_session


@pytest.fixture
async def sessionmaker(database_url):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url, application_name="test-snapshot", pool_size=2)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_a_commit_between_two_statements_of_a_report_is_not_seen(sessionmaker):  # type: ignore[no-untyped-def]
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(sessionmaker=sessionmaker)))
    reads = snapshot_session(request)  # type: ignore[arg-type]
    report = await anext(reads)
    before = (await report.execute(text("SELECT pg_current_snapshot()::text"))).scalar_one()
    async with sessionmaker() as other:  # a transaction that takes an id and commits, as the consumer does
        await other.execute(text("SELECT pg_current_xact_id()"))
        await other.commit()
    after = (await report.execute(text("SELECT pg_current_snapshot()::text"))).scalar_one()
    assert after == before
    with pytest.raises(DBAPIError, match="read-only transaction"):
        await report.execute(text("CREATE TEMPORARY TABLE written (n int)"))
    await reads.aclose()

    async with sessionmaker() as plain:  # the check above can fail: a plain session sees the commit
        first = (await plain.execute(text("SELECT pg_current_snapshot()::text"))).scalar_one()
        async with sessionmaker() as other:
            await other.execute(text("SELECT pg_current_xact_id()"))
            await other.commit()
        assert (await plain.execute(text("SELECT pg_current_snapshot()::text"))).scalar_one() != first
