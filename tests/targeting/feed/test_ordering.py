"""A reader following next_after misses nothing even when writers commit out of order (real commits)."""

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.feed.repository import FeedRepository, change

REGION = "18.71.01.1003"


def _entry(marker: uuid.UUID) -> dict:
    return change("household.updated", entity_id=marker, household_id=marker, region_code=REGION,
                  data={"marker": str(marker)}, client_id="ordering-test")


async def _read(engine, after: int) -> list[tuple[int, uuid.UUID]]:
    async with AsyncSession(engine) as session:
        rows = await FeedRepository(session).read_json("18", after=after, limit=1000)
        return [(r.seq, r.household_id) for r in rows]


async def _head(engine) -> int:
    async with AsyncSession(engine) as session:
        return await FeedRepository(session).head()


async def _cleanup(engine, markers) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM targeting.registry_change WHERE entity_id = ANY(:m)"),
                                 {"m": list(markers)})


class TestOutOfOrderCommits:
    async def test_a_transaction_that_began_first_but_commits_last_is_not_skipped(self, engine):
        first, second = uuid.uuid4(), uuid.uuid4()
        after = await _head(engine)
        try:
            async with AsyncSession(engine) as early, AsyncSession(engine) as late:
                # `early` starts its work (takes its snapshot and writes) before `late` ...
                await early.execute(text("SELECT txid_current()"))
                await late.execute(text("SELECT txid_current()"))
                # ... but `late` appends and commits first.
                await FeedRepository(late).append([_entry(second)])
                await late.commit()
                seen = await _read(engine, after)
                assert [m for _, m in seen] == [second]
                after = seen[-1][0]
                await FeedRepository(early).append([_entry(first)])
                await early.commit()
            assert [m for _, m in await _read(engine, after)] == [first]
        finally:
            await _cleanup(engine, [first, second])

    async def test_an_appended_but_uncommitted_entry_holds_back_later_ones(self, engine):
        first, second = uuid.uuid4(), uuid.uuid4()
        after = await _head(engine)
        try:
            async with AsyncSession(engine) as one, AsyncSession(engine) as two:
                await FeedRepository(one).append([_entry(first)])
                blocked = asyncio.create_task(FeedRepository(two).append([_entry(second)]))
                await asyncio.sleep(0.3)
                assert not blocked.done()
                assert await _read(engine, after) == []
                await one.commit()
                await blocked
                seen = await _read(engine, after)
                assert [m for _, m in seen] == [first]
                await two.commit()
                later = await _read(engine, seen[-1][0])
                assert [m for _, m in later] == [second] and later[0][0] > seen[-1][0]
        finally:
            await _cleanup(engine, [first, second])
