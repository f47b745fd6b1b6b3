"""Two real transactions writing to the feed while a reader follows `next_after`: whichever transaction started
first and whichever appended first, the reader sees both entries, each exactly once, in `seq` order."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from programs.feed.models import FeedEventType
from programs.feed.repository import FeedRepository


async def _read(client, headers, after):
    response = await client.get("/api/v1/feeds/programs", params={"after": after}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _append(session, name):
    return FeedRepository(session).append(FeedEventType.agency_created, name, "18", {"writer": name})


@pytest.mark.parametrize("early_appends_first", [False, True], ids=["late-appends-first", "early-appends-first"])
async def test_a_reader_misses_nothing_when_writers_overlap(committing, auth, engine, early_appends_first):
    client, headers = committing.client, auth("18")
    committing.feed_entity_ids += ["early", "late"]
    async with engine.connect() as connection:
        after = await connection.scalar(text("SELECT coalesce(max(seq), 0) FROM programs.feed_entry"))
    seen: list[dict] = []
    async with AsyncSession(engine) as early, AsyncSession(engine) as late:
        # `early` takes its transaction id first, as an enrolment does before it waits on the registry: with
        # commits in any order, a reader filtering on transaction ids alone could step past the other's entry.
        await early.execute(text("SELECT pg_current_xact_id()"))
        (first, first_name), (second, second_name) = sorted(
            [(early, "early"), (late, "late")], key=lambda pair: (pair[1] == "early") != early_appends_first)
        await _append(first, first_name)
        second_append = asyncio.create_task(_append(second, second_name))

        page = await _read(client, headers, after)
        assert (page["items"], page["next_after"], page["head"]) == ([], after, after)
        assert not second_append.done()  # it waits for the first writer's commit

        await first.commit()
        await second_append
        page = await _read(client, headers, after)
        seen += page["items"]

        await second.commit()
        page = await _read(client, headers, page["next_after"])
        seen += page["items"]

    assert [i["id"] for i in seen] == [first_name, second_name]
    assert seen[0]["seq"] < seen[1]["seq"]
    assert (await _read(client, headers, page["next_after"]))["items"] == []
