"""`sinergi import`: the same job from the command line, as a province-wide operator."""

import csv
import json

from typer.testing import CliRunner

from sinergi.main import app
from tests.targeting.imports import files


class TestImportCommand:
    def test_imports_reports_and_writes_the_refused_rows(self, database_url, db, tmp_path, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", database_url)
        a, members = files.family()
        bad = files.member(a["no_kk"], "child", nik="1871011708850000")
        households = files.write(tmp_path, "h.csv", files.households_text([a]))
        people = files.write(tmp_path, "m.csv", files.members_text([*members, bad]))
        errors = tmp_path / "errors.csv"
        result = CliRunner().invoke(app, ["import", "--households", str(households), "--members", str(people),
                                          "--operator", "imports-cli", "--errors", str(errors)])
        assert result.exit_code == 0, result.output
        summary = json.loads(next(line for line in result.output.splitlines() if line.startswith("{")))
        assert summary["status"] == "succeeded" and summary["households_inserted"] == 1
        assert summary["members_inserted"] == 3 and summary["rows_rejected"] == 1
        with errors.open(newline="") as handle:
            assert [row[:4] for row in csv.reader(handle)] == [["file", "line", "column", "code"],
                                                               ["members", "5", "nik", "nik_serial_zero"]]
        job = db.execute("SELECT client_id, region, status FROM targeting.import_job WHERE id = %s",
                         (summary["id"],)).fetchone()
        assert job == ("cli:imports-cli", "18", "succeeded")

    def test_a_failed_job_exits_non_zero(self, database_url, tmp_path, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", database_url)
        households = files.write(tmp_path, "h.csv", "no_kk\n1871010101200001\n")
        result = CliRunner().invoke(app, ["import", "--households", str(households), "--operator", "imports-cli"])
        assert result.exit_code == 1 and '"status": "failed"' in result.output

    def test_needs_a_file(self):
        result = CliRunner().invoke(app, ["import"])
        assert result.exit_code != 0
