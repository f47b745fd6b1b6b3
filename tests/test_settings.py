"""Settings precedence: a service's own database URL wins over the project-wide one."""

from programs.settings import ProgramsSettings
from reporting.settings import ReportingSettings
from targeting.settings import TargetingSettings


def test_service_database_url_wins_over_the_shared_one(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("TARGETING_DATABASE_URL", "postgresql://targeting-role/db")
    assert TargetingSettings().database_url == "postgresql://targeting-role/db"
    assert ReportingSettings().database_url == "postgresql://shared/db"


def test_keyword_construction_needs_no_environment(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert ProgramsSettings(database_url="postgresql://explicit/db").database_url == "postgresql://explicit/db"
