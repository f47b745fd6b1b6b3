"""Reporting settings (env prefix REPORTING_; DATABASE_URL and JWT_* are shared project-wide)."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class ReportingSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("REPORTING_")
    # Where the feeds come from; `sinergi run` exports TARGETING_URL and PROGRAMS_URL for every process.
    targeting_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias=AliasChoices("REPORTING_TARGETING_URL", "TARGETING_URL", "targeting_url"),
    )
    programs_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias=AliasChoices("REPORTING_PROGRAMS_URL", "PROGRAMS_URL", "programs_url"),
    )
    # The consumer's own OAuth2 client (province region; registry:read pii:read programs:read), from the
    # gateway's token endpoint. Without a client id the consumer does not run (the API still answers).
    token_url: str = "http://127.0.0.1:8000/api/v1/auth/token"  # noqa: S105 - a URL, not a secret
    client_id: str | None = None
    client_secret: str | None = None
    # Entries per feed export (the sources serve at most 200,000).
    feed_page_size: int = Field(default=100_000, ge=1, le=200_000)
    poll_interval_seconds: float = 2.0
    designations_interval_seconds: float = 60.0
    source_timeout_seconds: float = 60.0
