"""Keyset pagination: opaque cursors carrying the last row's sort key, and the list envelope."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from kit.problems import UnprocessableError

T = TypeVar("T")

MAX_LIMIT = 1000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (1-1000).")]
# Change feeds are read by machines catching up on millions of entries: larger pages, fewer round trips.
MAX_FEED_LIMIT = 10_000
FeedLimit = Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT, description="Entries per page (1-10,000).")]
Cursor = Annotated[
    str | None,
    Query(max_length=512, pattern=r"^[A-Za-z0-9_-]+$", description="The `next_cursor` of the previous page."),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class InvalidCursorError(UnprocessableError):
    slug = "invalid-cursor"
    title = "Invalid cursor"


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, *, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursorError("The cursor is not one this API issued.") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidCursorError("The cursor is not one this API issued.")
    return key
