"""The consumer: a crash between applying a page and committing it loses nothing and counts nothing twice;
a second consumer cannot apply a page again; a failing source shows in freshness and is retried."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from reporting.consumer.sources import Source, SourceError, StaticCredentials
from reporting.consumer.worker import PositionMovedError
from tests.reporting.conftest import sync
from tests.reporting.world import build


class Crash(Exception):
    pass


def crash_on(call: int):  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    async def hook(feed, page) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == call:
            raise Crash(feed)

    return hook


async def _counts(connection) -> dict[str, int]:  # type: ignore[no-untyped-def]
    tables = ("household", "household_history", "member", "enrollment", "delivery", "spending", "program", "agency")
    return {t: await connection.scalar(text(f"SELECT count(*) FROM reporting.{t}")) for t in tables}  # noqa: S608


async def _source_counts(connection, registry_after: int, programs_after: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    def registry(kind: str) -> str:
        return f"SELECT count(DISTINCT entity_id) FROM targeting.registry_change WHERE seq > {registry_after} AND type LIKE '{kind}.%'"  # noqa: E501, S608

    def programs(kind: str) -> str:
        return f"SELECT count(DISTINCT entity_id) FROM programs.feed_entry WHERE seq > {programs_after} AND type LIKE '{kind}.%'"  # noqa: E501, S608

    return {
        "household": await connection.scalar(text(registry("household"))),
        "household_history": await connection.scalar(text(
            f"SELECT count(*) FROM targeting.registry_change WHERE seq > {registry_after} AND type LIKE 'household.%'")),  # noqa: E501, S608
        "member": await connection.scalar(text(registry("member"))),
        "enrollment": await connection.scalar(text(programs("enrollment"))),
        "delivery": await connection.scalar(text(programs("delivery"))),
        "spending": await connection.scalar(text(programs("spending"))),
        "program": await connection.scalar(text(programs("program"))),
        "agency": await connection.scalar(text(programs("agency"))),
    }


async def test_a_crash_mid_batch_then_a_restart_neither_skips_nor_double_counts(
        targeting, programs, reporting, auth, connection, consumer, make_consumer):
    start = {r.feed: r.position for r in (await connection.execute(
        text("SELECT feed, position FROM reporting.feed_position"))).all()}
    world = await build(targeting, programs, auth)
    expected = await _source_counts(connection, start["registry"], start["programs"])

    crashing = make_consumer(page_size=3, before_commit=crash_on(3))
    with pytest.raises(Crash):
        await crashing.catch_up("registry")
    position = await connection.scalar(text("SELECT position FROM reporting.feed_position WHERE feed = 'registry'"))
    sixth = await connection.scalar(text(
        "SELECT seq FROM targeting.registry_change WHERE seq > :after ORDER BY seq OFFSET 5 LIMIT 1"),
        {"after": start["registry"]})
    assert position == sixth  # two pages of three committed, the third rolled back
    partial = await _counts(connection)
    assert 0 < partial["household"] + partial["member"] <= 6

    crashing.before_commit = crash_on(2)
    with pytest.raises(Crash):
        await crashing.catch_up("programs")

    await sync(make_consumer(page_size=3))
    assert await _counts(connection) == expected
    assert expected["delivery"] == len(world.deliveries) and expected["household"] == len(world.houses)

    # The figures after the restart are the figures of an uninterrupted run.
    coverage = (await reporting.get("/api/v1/reports/coverage", params={"year": 2022, "region": "18.71"},
                                    headers=auth())).json()
    assert coverage["total"]["covered_households"] == 2 and coverage["total"]["extreme_poor_households"] == 3


async def test_a_page_another_consumer_applied_first_is_rolled_back(targeting, auth, connection, consumer,
                                                                      make_consumer):
    from tests.targeting import factories as f

    after = await consumer.position("registry")
    await f.create(targeting, auth())
    page = await consumer._fetch("registry", after)
    await make_consumer().catch_up("registry")
    before = await _counts(connection)
    with pytest.raises(PositionMovedError):
        await consumer._apply("registry", page, expected=after)
    assert await _counts(connection) == before


async def test_a_failing_source_shows_in_freshness_and_the_loop_goes_on(apps, reporting, auth, connection, consumer):
    stop = asyncio.Event()

    def refuse(request: httpx.Request) -> httpx.Response:
        stop.set()  # one round of the loop is enough
        return httpx.Response(503, json={"status": 503})

    consumer.sources["programs"] = Source(httpx.AsyncClient(transport=httpx.MockTransport(refuse),
                                                            base_url="http://programs"), StaticCredentials("Bearer x"))
    consumer.poll_interval = 0.01
    await asyncio.wait_for(consumer.run(stop), timeout=30)
    feeds = {f["feed"]: f for f in (await reporting.get("/api/v1/reports/freshness", headers=auth())).json()["feeds"]}
    assert feeds["programs"]["state"] == "failing" and "503" in feeds["programs"]["last_error"]
    assert feeds["registry"]["state"] == "current"


async def test_programmes_read_before_the_registry_give_the_same_figures(targeting, programs, reporting, auth,
                                                                        consumer):
    from tests.reporting.test_figures import expected_coverage

    world = await build(targeting, programs, auth)
    await consumer.catch_up("programs")  # deliveries of households the read models do not know yet
    await consumer.catch_up("registry")
    await consumer.sync_regions()
    for region in ("18", "18.71", "18.01"):
        report = (await reporting.get("/api/v1/reports/coverage", params={"year": 2022, "region": region},
                                      headers=auth())).json()
        assert {k: v for k, v in report["total"].items() if k not in ("region_code", "name")} == \
            expected_coverage(world, region, 2022)


async def test_one_consumer_per_database_follows_the_feeds(engine):
    from reporting.consumer.leadership import Leadership

    first, second = Leadership(engine), Leadership(engine)
    try:
        assert await first.hold() and await first.hold()  # kept while its connection lives
        assert not await second.hold()
        await first.release()
        assert await second.hold()
        assert not await first.hold()
    finally:
        await first.release()
        await second.release()


@pytest.mark.parametrize(("headers", "error"), [
    ({"Feed-Columns": "seq,type", "Feed-Entries": "0", "Feed-Next-After": "0", "Feed-Head": "0"}, "columns"),
    ({"Feed-Columns": "seq,type,id", "Feed-Next-After": "0", "Feed-Head": "0"}, "Feed-Entries"),
], ids=["other-columns", "no-count"])
async def test_an_export_that_is_not_the_one_expected_is_refused(headers, error):
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200, headers=headers)),
                             base_url="http://targeting")
    with pytest.raises(SourceError, match=error):
        await Source(http, StaticCredentials("Bearer x")).export_page("/export", after=0, limit=10,
                                                                       columns=["seq", "type", "id"])


async def _rows_of(connection, households: list[str]) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def, type-arg]
    queries = {
        "household": "SELECT id, no_kk, region_code, welfare_decile, extreme_poor, status FROM reporting.household "
                     "WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id",
        "history": "SELECT household_id, region_code, extreme_poor, status, valid_from, valid_to "
                   "FROM reporting.household_history WHERE household_id = ANY(CAST(:ids AS uuid[])) ORDER BY seq",
        "member": "SELECT id, household_id, nik, name, relationship, status FROM reporting.member "
                  "WHERE household_id = ANY(CAST(:ids AS uuid[])) ORDER BY id",
        "enrollment": "SELECT id, program_id, household_id FROM reporting.enrollment "
                      "WHERE household_id = ANY(CAST(:ids AS uuid[])) ORDER BY id",
        "delivery": "SELECT id, program_id, household_id, delivered_on, value_idr FROM reporting.delivery "
                    "WHERE household_id = ANY(CAST(:ids AS uuid[])) ORDER BY id",
        "reach": "SELECT household_id, year, sectors, strategies, region_code, extreme_poor FROM reporting.reach "
                 "WHERE household_id = ANY(CAST(:ids AS uuid[])) ORDER BY household_id, year",
    }
    return {name: [tuple(r) for r in (await connection.execute(text(sql), {"ids": households})).all()]
            for name, sql in queries.items()}


async def test_a_rebuild_from_the_start_of_both_feeds_gives_the_same_read_models(targeting, programs, auth,
                                                                                  connection, consumer):
    from reporting.consumer.rebuild import empty_read_models

    world = await build(targeting, programs, auth)
    await sync(consumer)
    households = [h.id for h in world.houses.values()]
    before = await _rows_of(connection, households)
    assert all(before.values()) and len(before["history"]) > len(before["household"])  # h7 was deactivated

    await empty_read_models(connection)
    assert await connection.scalar(text("SELECT count(*) FROM reporting.household")) == 0
    assert await connection.scalar(text("SELECT count(*) FROM reporting.feed_position")) == 0
    await sync(consumer)  # from position 0: every entry of both feeds again

    assert await _rows_of(connection, households) == before
    heads = (await connection.execute(text(
        "SELECT (SELECT max(seq) FROM targeting.registry_change), (SELECT max(seq) FROM programs.feed_entry)"))).one()
    positions = dict((await connection.execute(text("SELECT feed, position FROM reporting.feed_position"))).all())
    assert (positions["registry"], positions["programs"]) == tuple(heads)
