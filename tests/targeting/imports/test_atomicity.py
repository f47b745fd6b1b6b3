"""All of a job's rows or none: a killed process, a failure after staging, a concurrent change."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from sinergi.generator import generate
from targeting.feed.repository import FEED_LOCK_KEY
from targeting.imports import loader
from targeting.imports.jobs import INTERRUPTED, JobSettings, recover
from tests.targeting.imports import files

SINERGI = str(Path(sys.executable).with_name("sinergi"))


def _eventually(probe, what: str, attempts: int = 1200):  # type: ignore[no-untyped-def]
    """Poll until `probe()` is truthy: waits for another process, asserts nothing about speed."""
    for _ in range(attempts):
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def _registry_rows(db, no_kks):  # type: ignore[no-untyped-def]
    return db.execute("SELECT (SELECT count(*) FROM targeting.household WHERE no_kk = ANY(%s)), "
                      "(SELECT count(*) FROM targeting.member m JOIN targeting.household h ON h.id = m.household_id "
                      "WHERE h.no_kk = ANY(%s))", (no_kks, no_kks)).fetchone()


class TestKilledJob:
    def test_a_process_killed_during_the_publish_leaves_nothing_and_a_retry_succeeds(
            self, database_url, db, jobs_engine, tmp_path):
        made = generate(30, 5, tmp_path)
        no_kks = [line.split(",")[0] for line in made.households_path.read_text().splitlines()[1:]]
        command = [SINERGI, "import", "--households", str(made.households_path), "--members",
                   str(made.members_path), "--operator", "imports-kill"]
        environment = {**os.environ, "DATABASE_URL": database_url}
        with psycopg.connect(database_url, autocommit=True) as holder:
            # Holding the feed lock stops the job at its last step: rows merged, feed pending, not committed.
            holder.execute("SELECT pg_advisory_lock(%s)", (FEED_LOCK_KEY,))
            process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,  # noqa: S603
                                       stderr=subprocess.PIPE)
            try:
                backend = _eventually(lambda: db.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
                    "application_name = 'sinergi-import' AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                ).fetchone(), "the job to reach its feed append")[0]
                process.send_signal(signal.SIGKILL)
                process.wait()
            finally:
                holder.execute("SELECT pg_advisory_unlock(%s)", (FEED_LOCK_KEY,))
        _eventually(lambda: db.execute("SELECT pid FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone()
                    is None, "the killed job's session to end")
        job_id, status = db.execute("SELECT id, status FROM targeting.import_job WHERE client_id = "
                                    "'cli:imports-kill'").fetchone()
        assert status == "running"
        assert _registry_rows(db, no_kks) == (0, 0)
        assert db.execute("SELECT count(*) FROM targeting.registry_change WHERE import_id = %s",
                          (job_id,)).fetchone() == (0,)

        assert recover(jobs_engine, JobSettings()) == {job_id: "failed"}
        status, reason = db.execute("SELECT status, failure_reason FROM targeting.import_job WHERE id = %s",
                                    (job_id,)).fetchone()
        assert status == "failed" and reason.startswith(INTERRUPTED)

        retry = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
        assert retry.returncode == 0, retry.stderr
        assert _registry_rows(db, no_kks) == (30, made.members)


class TestFailedJob:
    def test_a_failure_after_staging_and_merging_publishes_nothing(self, run_import, db, monkeypatch):
        a, members = files.family()

        def broken(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(loader.Loader, "append_feed", broken)
        run = run_import(households=files.households_text([a]), members=files.members_text(members))
        assert run.outcome.status == "failed" and "nothing was published" in run.outcome.reason
        assert "fire" not in run.outcome.reason
        assert _registry_rows(db, [a["no_kk"]]) == (0, 0)
        assert db.execute("SELECT count(*) FROM targeting.import_publication WHERE import_id = %s",
                          (run.job_id,)).fetchone() == (0,)
        monkeypatch.undo()
        again = run_import(households=files.households_text([a]), members=files.members_text(members))
        assert again.outcome.status == "succeeded" and _registry_rows(db, [a["no_kk"]]) == (1, 3)

    def test_a_record_changed_while_the_job_ran_fails_it_rather_than_overwriting(
            self, run_import, db, database_url, monkeypatch):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        merge = loader.Loader.merge

        def merge_after_someone_else(self, counts):  # type: ignore[no-untyped-def]
            with psycopg.connect(database_url, autocommit=True) as other:
                other.execute("UPDATE targeting.household SET welfare_decile = 7, version = version + 1 "
                              "WHERE no_kk = %s", (a["no_kk"],))
            return merge(self, counts)

        monkeypatch.setattr(loader.Loader, "merge", merge_after_someone_else)
        run = run_import(households=files.households_text([{**a, "welfare_decile": "5"}]))
        assert run.outcome.status == "failed" and "changed while the import ran" in run.outcome.reason
        assert db.execute("SELECT welfare_decile, version FROM targeting.household WHERE no_kk = %s",
                          (a["no_kk"],)).fetchone() == (7, 2)
