"""Wire format of the token endpoint and client administration."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from kit.app import StrictModel


class TokenRequest(StrictModel):
    grant_type: Literal["client_credentials"]
    client_id: str = Field(min_length=1, max_length=64)
    client_secret: str = Field(min_length=1, max_length=256)
    scope: str | None = Field(default=None, max_length=512)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the token expires.")
    scope: str = Field(description="Granted scopes, space separated.")


class ClientCreated(BaseModel):
    client_id: str
    client_secret: str
    region: str
    scope: str


class ClientRead(BaseModel):
    client_id: str
    region: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None
