"""Gateway settings (env prefix GATEWAY_; DATABASE_URL and the JWT_* keys are shared project-wide)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from kit.settings import ProcessSettings, database_url_field


class GatewaySettings(ProcessSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    database_url: str | None = database_url_field("GATEWAY_")
    jwt_private_key: str | None = Field(
        default=None, validation_alias=AliasChoices("jwt_private_key", "JWT_PRIVATE_KEY")
    )
    jwt_private_key_file: Path | None = Field(
        default=None, validation_alias=AliasChoices("jwt_private_key_file", "JWT_PRIVATE_KEY_FILE")
    )
    token_ttl_seconds: int = 900
    targeting_url: str = "http://127.0.0.1:8001"
    programs_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 2.0
    upstream_max_connections: int = 256
    db_pool_size: int = 5
    rate_limit_per_minute: int = 6000
    rate_limit_burst: int = 600
    redis_url: str | None = None

    @model_validator(mode="after")
    def _private_key_from_file(self) -> GatewaySettings:
        if self.jwt_private_key is None and self.jwt_private_key_file is not None:
            self.jwt_private_key = self.jwt_private_key_file.read_text()
        return self

    def service_urls(self) -> dict[str, str]:
        return {"targeting": self.targeting_url, "programs": self.programs_url, "reporting": self.reporting_url}
