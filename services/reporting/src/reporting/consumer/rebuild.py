"""Rebuilding the read models from the feeds, e.g. after a fix to how entries are applied.

The read models and both feed positions are emptied in one statement; the consumer then finds its position
gone (the page it was applying, if any, is rolled back as moved) and catches up from the start of both feeds,
about a minute per million households (bench/RESULTS.md). Regions and designations are reference data, re-read
every minute anyway, and stay.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# The tables the consumer fills from the feeds, and with them the feeds' positions.
READ_MODELS = ("household", "household_history", "member", "agency", "program", "enrollment", "delivery", "reach",
               "spending")
FED_TABLES = (*READ_MODELS, "feed_position")


async def empty_read_models(connection: AsyncConnection) -> None:
    """Waits for the consumer's page in progress and for reports being read (TRUNCATE's exclusive lock)."""
    await connection.execute(text("TRUNCATE " + ", ".join(f"reporting.{t}" for t in FED_TABLES)))
