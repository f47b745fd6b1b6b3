"""Masking of personal data (UU 27/2022) for tokens without `pii:read`."""

from __future__ import annotations


def mask_identifier(value: str | None) -> str | None:
    """'1871015708450001' -> '************0001'."""
    if value is None:
        return None
    return "*" * max(len(value) - 4, 0) + value[-4:]


def initials(name: str | None) -> str | None:
    """'Siti Aminah binti Ahmad' -> 'S. A. B. A.'."""
    if name is None:
        return None
    return " ".join(part[0].upper() + "." for part in name.split() if part) or None
