"""Concurrent imports of overlapping files (the same No. KK and NIKs, some rows equal, some not): every family
and person exists once, overlapping rows end as the file published last wrote them, the feed says exactly
what changed, and no job is left running. Jobs commit for real, so the test deletes what they wrote."""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import psycopg
import pytest

from targeting.imports.dialects import FileKind
from targeting.imports.jobs import JobSettings, run_local
from targeting.imports.runner import import_engine
from targeting.imports.worker import ImportWorker
from tests.targeting.imports import files

IMPORTER = "registry:import registry:read pii:read"
CLIENT = "imports-race"


@dataclass
class Overlap:
    """Two versions of the registry: files A and B share some families unchanged and some changed."""

    households: dict[str, list[dict[str, str]]] = field(default_factory=lambda: {"a": [], "b": []})
    members: dict[str, list[dict[str, str]]] = field(default_factory=lambda: {"a": [], "b": []})

    def add(self, household: dict[str, str], members: list[dict[str, str]], *, to: str) -> None:
        self.households[to].append(household)
        self.members[to].extend(members)

    def no_kks(self) -> set[str]:
        return {h["no_kk"] for version in self.households.values() for h in version}

    def niks(self) -> set[str]:
        return {m["nik"] for version in self.members.values() for m in version}

    def upload(self, version: str) -> dict[str, tuple[str, bytes, str]]:
        return {"households": ("households.csv", files.households_text(self.households[version]).encode(), "text/csv"),
                "members": ("members.csv", files.members_text(self.members[version]).encode(), "text/csv")}

    def household(self, version: str, no_kk: str) -> dict[str, str] | None:
        return next((h for h in self.households[version] if h["no_kk"] == no_kk), None)

    def member(self, version: str, nik: str) -> dict[str, str] | None:
        return next((m for m in self.members[version] if m["nik"] == nik), None)


def overlapping() -> Overlap:
    overlap = Overlap()
    for _ in range(3):  # in both files, with a different decile, address, head's name and child's occupation
        household, members = files.family()
        overlap.add(household, members, to="a")
        changed, changed_members = copy.deepcopy(household), copy.deepcopy(members)
        changed.update(welfare_decile="4", address="Jl. Pagar Alam No. 9")
        changed_members[0]["name"] = "Budi Santoso Putra"
        changed_members[2]["occupation"] = "student"
        overlap.add(changed, changed_members, to="b")
    for _ in range(2):  # in both files, equal
        household, members = files.family()
        overlap.add(household, members, to="a")
        overlap.add(copy.deepcopy(household), copy.deepcopy(members), to="b")
    for version in ("a", "a", "b", "b"):  # in one file only
        household, members = files.family()
        overlap.add(household, members, to=version)
    return overlap


@pytest.fixture
def overlap(database_url: str) -> Iterator[Overlap]:
    overlap = overlapping()
    yield overlap
    with psycopg.connect(database_url, autocommit=True) as db:
        no_kks, niks = list(overlap.no_kks()), list(overlap.niks())
        jobs = [row[0] for row in db.execute(
            "SELECT id FROM targeting.import_job WHERE client_id IN (%s, %s)", (CLIENT, f"cli:{CLIENT}"))]
        db.execute("DELETE FROM targeting.registry_change WHERE import_id = ANY(%s)", (jobs,))
        db.execute("DELETE FROM targeting.member WHERE nik = ANY(%s)", (niks,))
        db.execute("DELETE FROM targeting.household WHERE no_kk = ANY(%s)", (no_kks,))
        for table in ("import_problem", "import_publication"):
            db.execute(f"DELETE FROM targeting.{table} WHERE import_id = ANY(%s)", (jobs,))  # noqa: S608
        db.execute("DELETE FROM targeting.audit_event WHERE record_ids && %s::uuid[]", (jobs,))
        db.execute("DELETE FROM targeting.import_job WHERE id = ANY(%s)", (jobs,))


def _version_of(db: psycopg.Connection, job_ids: dict[str, object]) -> list[str]:
    """The versions in the order their jobs published: the feed's seq is commit order."""
    first_seq = dict(db.execute(
        "SELECT import_id, min(seq) FROM targeting.registry_change WHERE import_id = ANY(%s) GROUP BY import_id",
        (list(job_ids.values()),)).fetchall())
    return sorted(job_ids, key=lambda version: first_seq[job_ids[version]])


def assert_consistent(db: psycopg.Connection, overlap: Overlap, job_ids: dict[str, object]) -> None:
    job_ids = {version: uuid.UUID(str(job_id)) for version, job_id in job_ids.items()}
    jobs = db.execute("SELECT id, status, failure_reason, rows_rejected FROM targeting.import_job WHERE id = ANY(%s)",
                      (list(job_ids.values()),)).fetchall()
    assert {(status, reason, rejected) for _id, status, reason, rejected in jobs} == {("succeeded", None, 0)}, jobs
    assert len(jobs) == 2
    first, last = _version_of(db, job_ids)

    households = {row[0]: row for row in db.execute(
        "SELECT no_kk, id, welfare_decile, address, version FROM targeting.household "
        "WHERE no_kk = ANY(%s) AND status = 'active'", (list(overlap.no_kks()),))}
    assert len(households) == len(overlap.no_kks())
    assert db.execute("SELECT count(*) FROM targeting.household WHERE no_kk = ANY(%s)",
                      (list(overlap.no_kks()),)).fetchone() == (len(overlap.no_kks()),)
    members = {row[0]: row for row in db.execute(
        "SELECT nik, id, name, occupation, household_id, version FROM targeting.member WHERE nik = ANY(%s)",
        (list(overlap.niks()),))}
    assert len(members) == len(overlap.niks())
    assert db.execute("SELECT count(*) FROM targeting.member WHERE nik = ANY(%s)",
                      (list(overlap.niks()),)).fetchone() == (len(overlap.niks()),)

    expected_feed: dict[str, set[tuple[str, object]]] = {first: set(), last: set()}
    for no_kk, (_, household_id, decile, address, version) in households.items():
        later, earlier = overlap.household(last, no_kk), overlap.household(first, no_kk)
        wanted = later or earlier
        assert wanted is not None
        assert (decile, address) == (int(wanted["welfare_decile"]), wanted["address"]), no_kk
        if earlier is not None:
            expected_feed[first].add(("household.created", household_id))
        if later is not None and earlier is None:
            expected_feed[last].add(("household.created", household_id))
        changed = later is not None and earlier is not None and later != earlier
        if changed:
            expected_feed[last].add(("household.updated", household_id))
        assert version == (2 if changed else 1), no_kk
    for nik, (_, member_id, name, occupation, household_id, version) in members.items():
        later, earlier = overlap.member(last, nik), overlap.member(first, nik)
        wanted = later or earlier
        assert wanted is not None
        assert (name, occupation) == (wanted["name"], wanted["occupation"] or None), nik
        assert household_id == households[wanted["no_kk"]][1]
        if earlier is not None:
            expected_feed[first].add(("member.created", member_id))
        if later is not None and earlier is None:
            expected_feed[last].add(("member.created", member_id))
        changed = later is not None and earlier is not None and later != earlier
        if changed:
            expected_feed[last].add(("member.updated", member_id))
        assert version == (2 if changed else 1), nik

    for version, job_id in job_ids.items():
        feed = db.execute("SELECT type, entity_id FROM targeting.registry_change WHERE import_id = %s",
                          (job_id,)).fetchall()
        assert sorted(feed) == sorted(expected_feed[version]), version  # each change once, nothing else
    # A mirror that replays the feed ends where the registry is: the newest entry of each record is its state.
    newest = db.execute("""
        SELECT DISTINCT ON (entity_id) entity_id, data FROM targeting.registry_change
        WHERE import_id = ANY(%s) ORDER BY entity_id, seq DESC""", (list(job_ids.values()),)).fetchall()
    state = {row[1]: {"welfare_decile": row[2], "address": row[3], "version": row[4]} for row in households.values()}
    state |= {row[1]: {"name": row[2], "occupation": row[3], "version": row[5]} for row in members.values()}
    for entity_id, data in newest:
        assert {key: data[key] for key in state[entity_id]} == state[entity_id]
    assert len(newest) == len(state)


class TestOverlappingImports:
    async def test_two_uploads_run_by_two_workers_at_once_end_consistent(self, apps, auth, database_url, overlap):
        headers = auth("18", IMPORTER, CLIENT)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.targeting),
                                     base_url="http://targeting") as api:
            accepted = await asyncio.gather(*(api.post("/api/v1/imports", files=overlap.upload(version),
                                                       headers=headers) for version in ("a", "b")))
            assert [r.status_code for r in accepted] == [202, 202], [r.text for r in accepted]
            # Two replicas of the service, each with its worker, racing for the queue.
            replica = ImportWorker(database_url, JobSettings())
            try:
                await asyncio.gather(apps.targeting.state.import_worker.run_pending(), replica.run_pending())
            finally:
                await replica.stop()
            done = [await api.get(r.headers["location"], headers=headers) for r in accepted]
        assert [r.status_code for r in done] == [200, 200]
        assert [r.json()["status"] for r in done] == ["succeeded", "succeeded"], [r.json() for r in done]
        with psycopg.connect(database_url, autocommit=True) as db:
            assert_consistent(db, overlap, {"a": accepted[0].json()["id"], "b": accepted[1].json()["id"]})

    async def test_an_upload_and_a_cli_import_at_once_end_consistent(self, apps, auth, database_url, overlap,
                                                                     tmp_path):
        for kind in FileKind:
            (tmp_path / f"{kind.value}.csv").write_bytes(overlap.upload("b")[kind.value][1])
        headers = auth("18", IMPORTER, CLIENT)
        engine = import_engine(database_url)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.targeting),
                                         base_url="http://targeting") as api:
                accepted = await api.post("/api/v1/imports", files=overlap.upload("a"), headers=headers)
                assert accepted.status_code == 202, accepted.text
                cli, _ran = await asyncio.gather(
                    asyncio.to_thread(run_local, engine, {kind: tmp_path / f"{kind.value}.csv" for kind in FileKind},
                                      client_id=f"cli:{CLIENT}", region="18", settings=JobSettings()),
                    apps.targeting.state.import_worker.run_pending())
                # The worker may have found the CLI holding the turn: what it left queued runs now.
                await apps.targeting.state.import_worker.run_pending()
                done = await api.get(accepted.headers["location"], headers=headers)
        finally:
            engine.dispose()
        assert done.status_code == 200 and done.json()["status"] == "succeeded", done.json()
        assert cli[1].status == "succeeded", cli[1]
        with psycopg.connect(database_url, autocommit=True) as db:
            assert_consistent(db, overlap, {"a": accepted.json()["id"], "b": cli[0]})
