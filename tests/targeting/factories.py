"""Valid registry bodies for tests: NIKs and No. KKs that pass every structural rule."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

_serial = itertools.count(1)

BANDAR_LAMPUNG_VILLAGE = "18.71.01.1003"
BANDAR_LAMPUNG_VILLAGE_2 = "18.71.01.1004"
LAMPUNG_SELATAN_VILLAGE = "18.01.04.2001"


def nik(born: date = date(1985, 8, 17), *, female: bool = False, district: str = "187101") -> str:
    day = born.day + (40 if female else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{next(_serial) % 10000 or 1:04d}"


def no_kk(district: str = "187101") -> str:
    return f"{district}0101{20 + next(_serial) % 5:02d}{next(_serial) % 10000 or 1:04d}"


def member(relationship: str = "head", *, born: date = date(1985, 8, 17), sex: str = "M",
           **overrides: Any) -> dict[str, Any]:
    body = {"nik": nik(born, female=sex == "F"), "name": "Budi Santoso" if sex == "M" else "Siti Aminah",
            "sex": sex, "birth_date": born.isoformat(), "relationship": relationship}
    body.update(overrides)
    return body


def household(region_code: str = BANDAR_LAMPUNG_VILLAGE, *, members: list[dict[str, Any]] | None = None,
              **overrides: Any) -> dict[str, Any]:
    body = {
        "no_kk": no_kk(region_code.replace(".", "")[:6]),
        "region_code": region_code,
        "address": "Jl. Teuku Umar No. 1, RT 02/RW 03",
        "welfare_decile": 1,
        "extreme_poor": True,
        "housing": {"floor_area_m2": 24.5, "floor": "earth", "wall": "bamboo", "roof": "thatch",
                    "drinking_water": "unprotected_well", "lighting": "non_pln", "cooking_fuel": "firewood",
                    "toilet": "none"},
        "members": members if members is not None else [
            member("head", born=date(1980, 3, 5)),
            member("spouse", born=date(1984, 11, 20), sex="F"),
            member("child", born=date(2012, 1, 9), sex="F", school_participation="dropped_out"),
        ],
    }
    body.update(overrides)
    return body


async def create(client, headers, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/households", json=household(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()
