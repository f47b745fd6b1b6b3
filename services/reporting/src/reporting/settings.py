"""Reporting settings (env prefix REPORTING_; DATABASE_URL and JWT_* are shared project-wide)."""

from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class ReportingSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("REPORTING_")
