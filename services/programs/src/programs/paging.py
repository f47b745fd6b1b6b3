"""Typed keyset cursors: kit's opaque cursor, each part coerced back to its column's type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kit.pagination import InvalidCursorError, decode_cursor


def keyset(cursor: str | None, *types: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    key = decode_cursor(cursor, arity=len(types))
    if key is None:
        return None
    try:
        return tuple(kind(part) for kind, part in zip(types, key, strict=True))
    except (TypeError, ValueError) as exc:
        raise InvalidCursorError("The cursor is not one this API issued.") from exc
