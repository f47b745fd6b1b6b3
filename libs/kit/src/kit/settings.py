"""Settings every process shares: database, token keys, limits. Built explicitly, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def database_url_field(prefix: str) -> Any:
    """`<PREFIX>DATABASE_URL` wins over the project-wide `DATABASE_URL` (one role per service in deployment).

    The field's own name is not an alias: environment names match case-insensitively, so `database_url`
    would pick up `DATABASE_URL` first. Keyword construction still works through populate_by_name.
    """
    return Field(default=None, validation_alias=AliasChoices(f"{prefix}DATABASE_URL", "DATABASE_URL"))


class ProcessSettings(BaseSettings):
    """Base for the gateway's and each service's settings; subclasses set `env_prefix`."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = None
    db_pool_size: int = 20
    db_statement_timeout_ms: int = 30_000
    jwt_public_key: str | None = Field(
        default=None, validation_alias=AliasChoices("jwt_public_key", "JWT_PUBLIC_KEY")
    )
    jwt_public_key_file: Path | None = Field(
        default=None, validation_alias=AliasChoices("jwt_public_key_file", "JWT_PUBLIC_KEY_FILE")
    )
    jwt_issuer: str = Field(default="sinergi", validation_alias=AliasChoices("jwt_issuer", "JWT_ISSUER"))
    jwt_audience: str = Field(
        default="sinergi-api", validation_alias=AliasChoices("jwt_audience", "JWT_AUDIENCE")
    )
    cors_origins: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("cors_origins", "CORS_ORIGINS")
    )
    max_body_bytes: int = 1_048_576
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("log_level", "LOG_LEVEL"))

    @model_validator(mode="after")
    def _public_key_from_file(self) -> ProcessSettings:
        if self.jwt_public_key is None and self.jwt_public_key_file is not None:
            self.jwt_public_key = self.jwt_public_key_file.read_text()
        return self

    def require_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("No database configured: set DATABASE_URL (make run starts an embedded one).")
        return self.database_url

    def require_public_key(self) -> str:
        if not self.jwt_public_key:
            raise RuntimeError("No token key configured: set JWT_PUBLIC_KEY_FILE (make run generates one).")
        return self.jwt_public_key
