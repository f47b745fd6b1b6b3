"""The registry's calendar is Asia/Jakarta (WIB): 00:00-07:00 there is still yesterday in UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today_jakarta() -> date:
    return datetime.now(JAKARTA).date()
