"""The calendar every service counts in: Asia/Jakarta (WIB), where 00:00-07:00 is still yesterday in UTC.
Dates, ages, quarters and fiscal years all follow it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today_jakarta() -> date:
    return datetime.now(JAKARTA).date()
