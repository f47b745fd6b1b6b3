"""Programs settings (env prefix PROGRAMS_; DATABASE_URL and JWT_* are shared project-wide)."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class ProgramsSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="PROGRAMS_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("PROGRAMS_")
    # `sinergi run` exports TARGETING_URL for every process; PROGRAMS_TARGETING_URL wins when both are set.
    targeting_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias=AliasChoices("PROGRAMS_TARGETING_URL", "TARGETING_URL", "targeting_url"),
    )
    targeting_timeout_seconds: float = 60.0
    # Batches of 10,000 deliveries or enrolment refs run past the default 1 MiB body limit.
    batch_max_bytes: int = 8 * 1024 * 1024
