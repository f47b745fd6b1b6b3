"""PATCH bodies: a field left out stays as it is; `null` is refused for fields that cannot be empty."""

from __future__ import annotations

from typing import Any

from kit.app import StrictModel


class PatchModel(StrictModel):
    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


def refuse_null(value: Any) -> Any:
    """A `mode="before"` field validator body: omitted fields never reach it, explicit nulls do."""
    if value is None:
        raise ValueError("may be changed but not set to null")
    return value
