"""CSV files for import tests, in our dialect unless a test writes its own: valid rows by default,
built from the registry factories so NIKs and No. KKs are unique across the session."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from targeting.imports.rows import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from tests.targeting import factories as f


def household(region_code: str = f.BANDAR_LAMPUNG_VILLAGE, **overrides: Any) -> dict[str, str]:
    row = {"no_kk": f.no_kk(region_code.replace(".", "")[:6]), "id_dtks": "", "region_code": region_code,
           "address": "Jl. Teuku Umar No. 1", "welfare_decile": "1", "extreme_poor": "true", "floor_area_m2": "24.5",
           "floor": "earth", "wall": "bamboo", "roof": "thatch", "drinking_water": "unprotected_well",
           "lighting": "non_pln", "cooking_fuel": "firewood", "toilet": "none"}
    row.update(overrides)
    return row


def member(no_kk: str, relationship: str = "head", *, born: date = date(1980, 3, 5), sex: str = "M",
           **overrides: Any) -> dict[str, str]:
    row = {"no_kk": no_kk, "nik": f.nik(born, female=sex == "F"), "name": "Budi Santoso" if sex == "M" else "Siti",
           "sex": sex, "birth_date": born.isoformat(), "relationship": relationship, "education": "primary",
           "school_participation": "dropped_out", "occupation": "farmer", "disability": "false",
           "chronic_illness": "false", "pregnant": "false"}
    row.update(overrides)
    return row


def family(region_code: str = f.BANDAR_LAMPUNG_VILLAGE, **overrides: Any
           ) -> tuple[dict[str, str], list[dict[str, str]]]:
    head = household(region_code, **overrides)
    return head, [member(head["no_kk"], "head"), member(head["no_kk"], "spouse", born=date(1984, 11, 20), sex="F"),
                  member(head["no_kk"], "child", born=date(2012, 1, 9), sex="F", occupation="")]


def text(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str] | None = None, *, delimiter: str = ",",
         ) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    return buffer.getvalue()


def households_text(rows: list[dict[str, str]], **kwargs: Any) -> str:
    return text(rows, kwargs.pop("columns", HOUSEHOLD_FIELDS), **kwargs)


def members_text(rows: list[dict[str, str]], **kwargs: Any) -> str:
    return text(rows, kwargs.pop("columns", MEMBER_FIELDS), **kwargs)


def write(folder: Path, name: str, content: str | bytes, *, bom: bool = False) -> Path:
    path = folder / name
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path
