"""One consumer per database: with several reporting workers or replicas, only the one holding a session-level
advisory lock follows the feeds; the others stand by and take over when its connection goes away.

Correctness never depends on it (a page applies only from the position its consumer read, see apply.py); it
keeps the others from fetching and applying pages only to roll them back.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# pg_advisory_lock key of the reporting consumer (bytes of "rptfeeds"); no other lock in the database uses it.
CONSUMER_LOCK_KEY = 0x7270746665656473


class Leadership:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None

    async def hold(self) -> bool:
        """True while this process holds the lock (taking it when free); checks the holding connection is alive."""
        try:
            if self._connection is not None:
                await self._connection.execute(text("SELECT 1"))
                return True
            connection = await self.engine.connect()
            # Autocommit: the lock belongs to the session, and no transaction stays open while it is held.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            if await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": CONSUMER_LOCK_KEY}):
                self._connection = connection
                return True
            await connection.close()
            return False
        except (DBAPIError, OSError):
            await self._drop()
            return False

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError, OSError):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": CONSUMER_LOCK_KEY})
            await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(DBAPIError, OSError):
                await connection.invalidate()  # never back into the pool: its session may still hold the lock
