"""Targeting settings (env prefix TARGETING_; DATABASE_URL and JWT_* are shared project-wide)."""

import tempfile
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class TargetingSettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="TARGETING_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("TARGETING_")
    import_max_bytes: int = 2 * 1024**3
    # Uploads wait here for their job; share it between hosts when several run the targeting service.
    import_spool_dir: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "sinergi-imports")
    import_heartbeat_seconds: float = 5.0
    import_stale_after_seconds: float = 300.0
    import_max_attempts: int = 3
    import_poll_seconds: float = 5.0
    import_worker: bool = True  # False: this process only accepts uploads; another one runs them
