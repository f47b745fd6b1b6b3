"""The consumer loop: read a page, apply it with its position in one transaction, repeat.

While a page is being applied the next one is already being fetched (its start is the page's `next_after`),
so catching up costs about the larger of the two, not their sum. A page whose position moved meanwhile (a
second replica) is rolled back and the loop reads from the new position.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kit.clock import today_jakarta
from reporting.consumer.apply import STAGES, apply_page
from reporting.consumer.leadership import Leadership
from reporting.consumer.sources import FeedPage, Source, SourceError

log = logging.getLogger("reporting.consumer")

FEED_PATHS = {"registry": "/api/v1/feeds/registry/export", "programs": "/api/v1/feeds/programs/export"}
REGION_LEVELS = ("province", "regency", "district", "village")


class PositionMovedError(Exception):
    """Another consumer applied this page first; this transaction must not stay."""


class Consumer:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, targeting: Source, programs: Source,
        page_size: int = 100_000, poll_interval: float = 2.0,
        designations_interval: float = 60.0,
        prefetch: bool = True, before_commit: Callable[[str, FeedPage], Awaitable[None]] | None = None,
        leadership: Leadership | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.sources = {"registry": targeting, "programs": programs}
        self.targeting = targeting
        # Entries per export: large pages cost little per entry and keep a catch-up fast.
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.designations_interval = designations_interval
        # Fetch the next page while applying this one. Off only where the sources and the read models share
        # one database connection (the in-process tests), which cannot run two statements at once.
        self.prefetch = prefetch
        # A hook between applying a page and committing it: tests stop the consumer there.
        self.before_commit = before_commit
        self.leadership = leadership

    async def position(self, feed: str) -> int:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(text("INSERT INTO reporting.feed_position (feed) VALUES (:feed) "
                                       "ON CONFLICT (feed) DO NOTHING"), {"feed": feed})
            return int(await session.scalar(text("SELECT position FROM reporting.feed_position WHERE feed = :feed"),
                                            {"feed": feed}))

    async def _fetch(self, feed: str, after: int) -> FeedPage:
        return await self.sources[feed].export_page(FEED_PATHS[feed], after=after, limit=self.page_size,
                                                    columns=list(STAGES[feed].columns))

    async def _apply(self, feed: str, page: FeedPage, *, expected: int) -> None:
        async with self.sessionmaker() as session, session.begin():
            applied = await apply_page(session, feed, page, expected=expected)
            if not applied.moved:
                raise PositionMovedError(feed)
            if self.before_commit is not None:
                await self.before_commit(feed, page)

    async def catch_up(self, feed: str) -> int:
        """Apply pages until the source has nothing newer; the number of entries applied."""
        position = await self.position(feed)
        fetch = asyncio.create_task(self._fetch(feed, position))
        applied = 0
        try:
            while True:
                page = await fetch
                if page.entries and self.prefetch:
                    fetch = asyncio.create_task(self._fetch(feed, page.next_after))
                await self._apply(feed, page, expected=position)
                if page.entries and not self.prefetch:
                    fetch = asyncio.create_task(self._fetch(feed, page.next_after))
                if not page.entries:
                    return applied
                applied += page.entries
                position = page.next_after
        finally:
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, SourceError):
                await fetch

    async def sync_designations(self) -> int:
        """Replace each relevant year's designations with the targeting service's current list."""
        async with self.sessionmaker() as session:
            years = set((await session.scalars(text("SELECT DISTINCT fiscal_year FROM reporting.program"))).all())
        years.add(today_jakarta().year)
        total = 0
        for year in sorted(years):
            items = [i async for page in self.targeting.pages(f"/api/v1/priority-areas/{year}/designations", {})
                     for i in page]
            async with self.sessionmaker() as session, session.begin():
                await session.execute(text("DELETE FROM reporting.designation WHERE year = :year"), {"year": year})
                if items:
                    await session.execute(text(
                        "INSERT INTO reporting.designation (year, region_code, level, name, decree) "
                        "VALUES (:year, :region_code, :level, :name, :decree) ON CONFLICT DO NOTHING"),
                        [{"year": year, "region_code": i["region_code"], "level": i["level"], "name": i["name"],
                          "decree": i.get("decree")} for i in items])
            total += len(items)
        return total

    async def sync_regions(self) -> int:
        rows = [r for level in REGION_LEVELS
                async for page in self.targeting.pages("/api/v1/regions", {"level": level}) for r in page]
        async with self.sessionmaker() as session, session.begin():
            if rows:
                await session.execute(text(
                    "INSERT INTO reporting.region (code, name, level, parent_code) "
                    "VALUES (:code, :name, :level, :parent_code) ON CONFLICT (code) DO UPDATE "
                    "SET name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code"),
                    [{k: r[k] for k in ("code", "name", "level", "parent_code")} for r in rows])
        return len(rows)

    async def record_error(self, feed: str, error: Exception) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(text("UPDATE reporting.feed_position SET last_error = :error, checked_at = now() "
                                       "WHERE feed = :feed"), {"feed": feed, "error": str(error)[:500]})

    async def run(self, stop: asyncio.Event) -> None:
        """Follow both feeds until `stop` is set; errors are recorded and retried with a growing pause."""
        next_reference_sync = 0.0
        failures = 0
        try:
            while not stop.is_set():
                if self.leadership is not None and not await self.leadership.hold():
                    with contextlib.suppress(TimeoutError):  # another process follows the feeds
                        await asyncio.wait_for(stop.wait(), timeout=self.poll_interval * 5)
                    continue
                failures, next_reference_sync = await self._round(failures, next_reference_sync, stop)
        finally:
            if self.leadership is not None:
                await self.leadership.release()

    async def _round(self, failures: int, next_reference_sync: float, stop: asyncio.Event) -> tuple[int, float]:
        """Both feeds to their heads, reference data when due, then a pause if nothing was new."""
        busy = False
        for feed in FEED_PATHS:
            try:
                busy |= await self.catch_up(feed) > 0
                failures = 0
            except (SourceError, PositionMovedError, OSError) as error:
                failures += 1
                log.warning("feed %s: %s", feed, error)
                with contextlib.suppress(Exception):
                    await self.record_error(feed, error)
            except Exception as error:  # a bad page must not kill the loop; it is recorded and retried
                failures += 1
                log.exception("feed %s failed", feed)
                with contextlib.suppress(Exception):
                    await self.record_error(feed, error)
        if time.monotonic() >= next_reference_sync:
            try:
                await self.sync_regions()
                await self.sync_designations()
                next_reference_sync = time.monotonic() + self.designations_interval
            except Exception as error:
                log.warning("reference data: %s", error)
        if not busy:
            pause = self.poll_interval * min(2 ** failures, 30)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
        return failures, next_reference_sync
