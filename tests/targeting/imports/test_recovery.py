"""After a crash or restart no job stays `running`: it resumes from its spooled files or ends failed."""

import threading
import uuid

import psycopg
import pytest
from sqlalchemy import text

from kit.ids import uuid7
from targeting.imports.jobs import INTERRUPTED, JobSettings, recover, run_next_upload
from targeting.imports.models import Runner
from targeting.imports.repository import LOCK_CLASS, JobStore, job_lock_key
from tests.targeting.imports import files


@pytest.fixture
def left_running(jobs_engine, db, apps):  # type: ignore[no-untyped-def]
    """A job row as a dead runner leaves it: running, heartbeat `age` seconds old, nobody holding its lock."""

    def make(*, runner: Runner = Runner.cli, attempts: int = 1, age: int = 3600, spool: bool = False) -> uuid.UUID:
        job_id = uuid7()
        spool_dir = None
        kinds = {}
        if spool:
            folder = apps.targeting.state.settings.import_spool_dir / str(job_id)
            folder.mkdir(parents=True)
            a, members = files.family()
            (folder / "households.csv").write_text(files.households_text([a]))
            (folder / "members.csv").write_text(files.members_text(members))
            spool_dir, kinds = str(folder), {"households": {"name": "h.csv", "bytes": 1},
                                             "members": {"name": "m.csv", "bytes": 1}}
        with jobs_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            JobStore(connection).create(job_id, client_id="imports-recovery", region="18", runner=runner,
                                        files=kinds, spool_dir=spool_dir)
        db.execute("UPDATE targeting.import_job SET status = 'running', phase = 'publishing', attempts = %s, "
                   "started_at = now(), heartbeat_at = now() - make_interval(secs => %s) WHERE id = %s",
                   (attempts, age, job_id))
        return job_id

    return make


def _job(db, job_id):  # type: ignore[no-untyped-def]
    return db.execute("SELECT status, failure_reason, finished_at IS NOT NULL FROM targeting.import_job "
                      "WHERE id = %s", (job_id,)).fetchone()


class TestRecovery:
    def test_a_cli_job_whose_process_died_ends_failed_with_a_reason(self, jobs_engine, db, left_running):
        job_id = left_running(runner=Runner.cli, age=5)
        assert recover(jobs_engine, JobSettings()) == {job_id: "failed"}
        status, reason, finished = _job(db, job_id)
        assert status == "failed" and reason.startswith(INTERRUPTED) and finished

    async def test_an_uploaded_job_is_queued_again_and_then_completes(self, jobs_engine, db, left_running, worker):
        job_id = left_running(runner=Runner.api, spool=True)
        assert recover(jobs_engine, JobSettings()) == {job_id: "queued"}
        assert _job(db, job_id)[0] == "queued"
        assert await worker.run_pending() == 1
        row = db.execute("SELECT status, households_inserted, members_inserted, attempts FROM targeting.import_job "
                         "WHERE id = %s", (job_id,)).fetchone()
        assert row == ("succeeded", 1, 3, 2)

    def test_an_uploaded_job_out_of_attempts_ends_failed(self, jobs_engine, db, left_running):
        job_id = left_running(runner=Runner.api, spool=True, attempts=3)
        assert recover(jobs_engine, JobSettings(max_attempts=3)) == {job_id: "failed"}

    def test_a_job_that_died_after_its_commit_is_marked_succeeded(self, jobs_engine, db, left_running):
        job_id = left_running()
        db.execute("INSERT INTO targeting.import_publication (import_id, households_inserted, households_updated, "
                   "members_inserted, members_updated, rows_rejected) VALUES (%s, 5, 1, 12, 0, 2)", (job_id,))
        assert recover(jobs_engine, JobSettings()) == {job_id: "succeeded"}
        assert db.execute("SELECT status, households_inserted, members_inserted, rows_rejected FROM "
                          "targeting.import_job WHERE id = %s", (job_id,)).fetchone() == ("succeeded", 5, 12, 2)

    def test_a_live_runner_is_left_alone_and_a_hung_one_is_stopped(self, jobs_engine, db, left_running,
                                                                    database_url):
        job_id = left_running(age=1)
        with psycopg.connect(database_url, autocommit=True) as runner:
            runner.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, job_lock_key(job_id)))
            assert recover(jobs_engine, JobSettings(stale_after_seconds=60)) == {}
            assert _job(db, job_id)[0] == "running"
            db.execute("UPDATE targeting.import_job SET heartbeat_at = now() - interval '1 hour' WHERE id = %s",
                       (job_id,))
            assert recover(jobs_engine, JobSettings(stale_after_seconds=60)) == {job_id: "failed"}
            with pytest.raises(psycopg.OperationalError):
                runner.execute("SELECT 1")

    def test_a_stopping_service_hands_its_job_back_to_the_queue(self, api, auth, jobs_engine, db, apps):
        job_id = uuid7()
        folder = apps.targeting.state.settings.import_spool_dir / str(job_id)
        folder.mkdir(parents=True)
        a, _members = files.family()
        (folder / "households.csv").write_text(files.households_text([a]))
        with jobs_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            JobStore(connection).create(job_id, client_id="imports-stop", region="18", runner=Runner.api,
                                        files={"households": {"name": "h.csv", "bytes": 1}}, spool_dir=str(folder))
        stopping = threading.Event()
        stopping.set()
        outcome = run_next_upload(jobs_engine, JobSettings(), abort=stopping)
        assert outcome is not None and outcome.status == "queued"
        status, reason, _finished = _job(db, job_id)
        assert status == "queued" and "runs again" in reason and folder.is_dir()
        resumed = run_next_upload(jobs_engine, JobSettings())
        assert resumed is not None and resumed.status == "succeeded"
        assert resumed.counts.rows_rejected == 1  # a new family needs its head in a members file
        assert not folder.exists()

    def test_only_one_import_runs_at_a_time(self, jobs_engine, database_url):
        with psycopg.connect(database_url, autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s, 0)", (LOCK_CLASS,))
            assert run_next_upload(jobs_engine, JobSettings()) is None
        with jobs_engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM targeting.import_job WHERE status = 'running'")
                                      ).scalar_one() == 0
