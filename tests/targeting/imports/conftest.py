"""Import jobs commit for real (they run on connections of their own, like in production), so these tests
do not use the rolled-back `connection` fixture: each test deletes what its imports wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine

from targeting.imports.dialects import FileKind
from targeting.imports.jobs import JobSettings, run_local
from targeting.imports.runner import Outcome, import_engine

CLIENT = "imports-test"
CLEANUP = """
DELETE FROM targeting.member WHERE household_id IN (
    SELECT household_id FROM targeting.registry_change WHERE import_id IS NOT NULL);
DELETE FROM targeting.member WHERE id IN (SELECT entity_id FROM targeting.registry_change WHERE import_id IS NOT NULL);
DELETE FROM targeting.household WHERE id IN (
    SELECT entity_id FROM targeting.registry_change WHERE import_id IS NOT NULL);
DELETE FROM targeting.registry_change WHERE import_id IS NOT NULL;
DELETE FROM targeting.import_problem;
DELETE FROM targeting.import_publication;
DELETE FROM targeting.import_job;
DELETE FROM targeting.audit_event WHERE action LIKE 'import.%';
DELETE FROM targeting.idempotency_key WHERE client_id LIKE 'imports-%';
"""


@pytest.fixture(autouse=True)
def clean_imports(database_url: str) -> Iterator[None]:
    yield
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(CLEANUP)


@pytest.fixture(scope="session")
def jobs_engine(database_url: str) -> Iterator[Engine]:
    engine = import_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection]:
    """A plain autocommit connection to look at what jobs committed."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        yield connection


@dataclass
class Run:
    job_id: object
    outcome: Outcome
    problems: list[tuple[str, int, str, str]]

    @property
    def codes(self) -> set[tuple[str, int, str, str]]:
        return set(self.problems)


@pytest.fixture
def run_import(jobs_engine: Engine, db: psycopg.Connection, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run files through the job code in this process (what `sinergi import` does), for a region."""
    counter = iter(range(1_000_000))

    def run(*, households: str | bytes | None = None, members: str | bytes | None = None, region: str = "18",
            bom: bool = False, split_bytes: int | None = None) -> Run:
        folder = tmp_path / f"run-{next(counter)}"
        folder.mkdir()
        files = {}
        for kind, content in ((FileKind.households, households), (FileKind.members, members)):
            if content is not None:
                path = folder / f"{kind.value}.csv"
                data = content.encode() if isinstance(content, str) else content
                path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
                files[kind] = path
        job_id, outcome = run_local(jobs_engine, files, client_id=f"cli:{CLIENT}", region=region,
                                    settings=JobSettings() if split_bytes is None
                                    else JobSettings(split_bytes=split_bytes))
        problems = db.execute(
            'SELECT file, line, "column", code FROM targeting.import_problem WHERE import_id = %s ORDER BY id',
            (job_id,)).fetchall()
        return Run(job_id, outcome, [tuple(p) for p in problems])

    return run


@pytest.fixture
async def api(apps) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The targeting app with its real sessions (requests commit, as the worker needs to see them)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.targeting), base_url="http://targeting") \
            as client:
        yield client


@pytest.fixture
def worker(apps):  # type: ignore[no-untyped-def]
    return apps.targeting.state.import_worker
