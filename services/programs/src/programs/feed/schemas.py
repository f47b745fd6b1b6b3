"""Wire format of the programs feed (the same shape as the registry feed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from programs.feed.models import FeedEventType


class FeedItem(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    seq: int
    type: FeedEventType
    id: str = Field(validation_alias="entity_id", description="The changed record's id (for spending: "
                    "`<program_id>:<period>`).")
    region_code: str
    occurred_at: datetime
    data: dict[str, Any] = Field(description="The record as it stands after the change.")


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_after: int = Field(description="Pass as `after` to read on; equal to `after` when nothing new is visible.")
    head: int = Field(description="The highest `seq` in the whole feed when this page was read (0 when empty): "
                      "`head - next_after` bounds how far behind a reader is.")
