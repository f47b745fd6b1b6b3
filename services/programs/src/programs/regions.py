"""Kemendagri region codes as the programs service receives them (dotted: 18, 18.71, 18.71.01, 18.71.01.1003)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

REGION_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"

RegionCode = Annotated[str, Field(pattern=REGION_PATTERN, examples=["18.71"], description="Kemendagri code, dotted.")]


def depth_of(code: str) -> int:
    """1 province, 2 regency (kabupaten/kota), 3 district (kecamatan), 4 village (desa/kelurahan)."""
    return code.count(".") + 1
