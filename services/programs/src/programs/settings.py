"""Programs settings (env prefix PROGRAMS_; DATABASE_URL and JWT_* are shared project-wide)."""

from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class ProgramsSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="PROGRAMS_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("PROGRAMS_")
