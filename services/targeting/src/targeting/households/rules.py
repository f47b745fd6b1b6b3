"""Field rules of the registry, shared by the API schemas and the bulk import: each check exists once.

The API wraps these functions in pydantic validators; the import calls them directly per CSV cell (a
pydantic model per row would triple the import's CPU time), so both refuse the same values with the
same codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kit.clock import today_jakarta

NAME_MAX_LENGTH = 200
ADDRESS_MAX_LENGTH = 500
ID_DTKS_MAX_LENGTH = 100
DECILE_MIN, DECILE_MAX = 1, 10
FLOOR_AREA_MAX_M2 = 100_000
BIRTH_YEAR_MIN = 1900
VILLAGE_PATTERN = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"

_VILLAGE = re.compile(VILLAGE_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # lone surrogates cannot be stored either


@dataclass(frozen=True)
class RuleError(ValueError):
    """A refused value: `code` is stable and machine-readable, `detail` never repeats the value."""

    code: str
    detail: str

    def __str__(self) -> str:
        return self.detail


def plain_text(value: str) -> str:
    value = value.strip()
    if _CONTROL.search(value):
        raise RuleError("control_characters", "Text may not contain control characters.")
    return value


def bounded_text(value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise RuleError("too_long", f"At most {max_length} characters.")
    return plain_text(value)


def birth_date(value: date, today: date | None = None) -> date:
    if value > (today or today_jakarta()):
        raise RuleError("birth_date_future", "Birth date lies in the future (Asia/Jakarta calendar).")
    if value.year < BIRTH_YEAR_MIN:
        raise RuleError("birth_date_range", f"Birth date must be in {BIRTH_YEAR_MIN} or later.")
    return value


def welfare_decile(value: int) -> int:
    if not DECILE_MIN <= value <= DECILE_MAX:
        raise RuleError("decile_range", f"The welfare decile (desil) runs from {DECILE_MIN} to {DECILE_MAX}.")
    return value


def floor_area(value: float) -> float:
    if not 0 <= value <= FLOOR_AREA_MAX_M2:
        raise RuleError("floor_area_range", f"Floor area must lie between 0 and {FLOOR_AREA_MAX_M2:,} m².")
    return value


def village_code(value: str) -> str:
    if not _VILLAGE.match(value):
        raise RuleError("region_format", "A village code has the form 18.71.01.1003.")
    return value

