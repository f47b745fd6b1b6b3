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

    # DCI Social Registry interface (docs/dci.md).
    dci_registry_id: str = Field(
        default="sinergi", description="Our DCI participant id: `sender_id` of our answers, the only `receiver_id` "
        "we accept.")
    dci_callbacks: dict[str, list[str]] = Field(
        default_factory=dict, description="client_id -> callback URL prefixes it may name as `sender_uri` "
        '(TARGETING_DCI_CALLBACKS=\'{"dinsos-1871": ["https://spmis.example.go.id/dci/"]}\').')
    dci_callback_allowed_networks: list[str] = Field(
        default_factory=list, description="CIDRs exempt from the refusal of loopback, link-local, private and other "
        "non-global callback addresses; for tests only (e.g. 127.0.0.1/32).")
    dci_callback_timeout_seconds: float = 10.0
    dci_callback_attempts: int = Field(default=3, ge=1, le=10)
    dci_callback_backoff_seconds: float = Field(default=2.0, ge=0)
    dci_max_batch: int = Field(default=100, ge=1, description="Most search requests in one message.")
    dci_max_records: int = Field(default=1000, ge=1, description="Largest page, and most records answered to an "
                                 "item without pagination.")
    dci_retention_days: int = Field(default=30, ge=1, description="How long a finished search message (what it "
                                    "asked, what we answered) is kept for txn/status; the audit trail keeps "
                                    "which records were disclosed to whom.")
    # Uploads wait here for their job; share it between hosts when several run the targeting service.
    import_spool_dir: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "sinergi-imports")
    import_heartbeat_seconds: float = 5.0
    import_stale_after_seconds: float = 300.0
    import_max_attempts: int = 3
    import_poll_seconds: float = 5.0
    import_worker: bool = True  # False: this process only accepts uploads; another one runs them
