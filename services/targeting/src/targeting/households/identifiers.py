"""NIK and No. KK rules (DOMAIN.md section 2): one implementation for the API, imports and change requests.

python-stdnum is not used: it accepts days 81-99, serial 0000 and separators, and reads 2025 births as 1925.
"""

from __future__ import annotations

import re
from datetime import date

from targeting.households.rules import RuleError

_DIGITS16 = re.compile(r"^[0-9]{16}$")
_EXCEL_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+\d+$")
_EXCEL_DECIMAL = re.compile(r"^\d+\.0+$")
# Days per month, 29 for February: whether 29 February exists is decided per two-digit year below.
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Two-digit groups of a checked NIK as ints by lookup: int() per group dominated bulk imports' time.
_TWO_DIGITS = {f"{n:02d}": n for n in range(100)}


class IdentifierError(RuleError):
    pass


def _structure(raw: str, label: str, prefix: str) -> str:
    value = raw.strip()
    if _DIGITS16.match(value):
        return value
    if _EXCEL_SCIENTIFIC.match(value) or _EXCEL_DECIMAL.match(value):
        raise IdentifierError(
            f"{prefix}_excel_mangled",
            f"{label} was converted to a number by Excel; export the column as text.",
        )
    raise IdentifierError(f"{prefix}_format", f"{label} must be exactly 16 digits (no spaces, dots or dashes).")


def _regency_check(value: str, label: str, prefix: str, known_regencies: frozenset[str] | None) -> None:
    if known_regencies is not None and value[:4] not in known_regencies:
        raise IdentifierError(
            f"{prefix}_region_unknown",
            f"{label} digits 1-4 must name a known province and kab/kota.",
        )


def check_nik(raw: str, known_regencies: frozenset[str] | None = None) -> str:
    """Return the NIK trimmed, or raise IdentifierError with a stable code.

    `known_regencies`: 4-digit province+kab/kota prefixes (current and historical); None skips that check
    (pure schema validation; the service checks it against the region table).
    """
    value = _structure(raw, "NIK", "nik")
    _regency_check(value, "NIK", "nik", known_regencies)
    day, month, yy = _TWO_DIGITS[value[6:8]], _TWO_DIGITS[value[8:10]], _TWO_DIGITS[value[10:12]]
    if not (1 <= day <= 31 or 41 <= day <= 71) or not 1 <= month <= 12:
        raise IdentifierError("nik_date_invalid", "NIK digits 7-12 must be a birth date DDMMYY (women: day + 40).")
    # A real date in 19YY or 20YY: 29 February exists in one of them exactly when YY is a multiple of 4
    # (2000 is a leap year, 1900 is not, and 1904..1996 / 2004..2096 agree).
    day_of_month = day % 40
    if day_of_month > _MONTH_DAYS[month] or (month == 2 and day_of_month == 29 and yy % 4):
        raise IdentifierError("nik_date_invalid", "NIK digits 7-12 are not a real date.")
    if value[12:] == "0000":
        raise IdentifierError("nik_serial_zero", "NIK serial (digits 13-16) cannot be 0000; often an Excel artefact.")
    return value


def check_no_kk(raw: str, known_regencies: frozenset[str] | None = None) -> str:
    value = _structure(raw, "No. KK", "no_kk")
    _regency_check(value, "No. KK", "no_kk", known_regencies)
    return value


def nik_findings(nik: str, sex: str | None, birth_date: date | None) -> list[str]:
    """Data-quality warnings (accepted, not refused): the NIK's implied sex or date disagrees with the record.

    The NIK keeps its first birth date when a date is later corrected, so a mismatch is legitimate at times.
    """
    findings = []
    day, month, yy = _TWO_DIGITS[nik[6:8]], _TWO_DIGITS[nik[8:10]], _TWO_DIGITS[nik[10:12]]
    if sex is not None and ("F" if day > 40 else "M") != sex:
        findings.append("nik_sex_mismatch")
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day % 40, month, yy):
        findings.append("nik_birth_date_mismatch")
    return findings


def regency_prefix(code: str) -> str:
    """'18.71' -> '1871': how NIK and No. KK carry a Kemendagri regency code."""
    return code.replace(".", "")[:4]
