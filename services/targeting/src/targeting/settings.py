"""Targeting settings (env prefix TARGETING_; DATABASE_URL and JWT_* are shared project-wide)."""

from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class TargetingSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="TARGETING_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("TARGETING_")
    import_max_bytes: int = 2 * 1024**3
