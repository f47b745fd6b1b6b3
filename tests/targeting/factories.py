"""Valid registry bodies for tests: NIKs and No. KKs that pass every structural rule."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert

from kit.ids import uuid7

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


# --- rows written straight into the test transaction (fast, for fixtures of many households) -------------

SUKARAME_VILLAGE = "18.71.02.1003"
LAMPUNG_SELATAN_VILLAGE_2 = "18.01.04.2002"


@dataclass
class MemberRow:
    born: date
    sex: str = "M"
    relationship: str = "child"
    education: str | None = None
    school_participation: str | None = None
    occupation: str | None = None
    disability: bool = False
    chronic_illness: bool = False
    pregnant: bool = False
    status: str = "active"
    id: uuid.UUID = field(default_factory=uuid7)

    def age(self, on: date) -> int:
        """Completed years, computed independently of the SQL under test."""
        return on.year - self.born.year - ((on.month, on.day) < (self.born.month, self.born.day))


@dataclass
class HouseholdRow:
    region_code: str = BANDAR_LAMPUNG_VILLAGE
    welfare_decile: int | None = 1
    extreme_poor: bool = False
    floor_area_m2: float | None = None
    floor: str | None = None
    wall: str | None = None
    roof: str | None = None
    drinking_water: str | None = None
    lighting: str | None = None
    cooking_fuel: str | None = None
    toilet: str | None = None
    status: str = "active"
    members: list[MemberRow] = field(default_factory=list)
    id: uuid.UUID = field(default_factory=uuid7)

    @property
    def active_members(self) -> list[MemberRow]:
        return [m for m in self.members if m.status == "active"]


async def insert_households(connection, rows: list[HouseholdRow]) -> list[HouseholdRow]:  # type: ignore[no-untyped-def]
    """Insert households and members as given, in the test's transaction; returns `rows` (ids filled)."""
    from targeting.households.models import Household, Member

    households, members = [], []
    for row in rows:
        households.append({
            "id": row.id, "no_kk": no_kk(row.region_code.replace(".", "")[:6]), "region_code": row.region_code,
            "welfare_decile": row.welfare_decile, "extreme_poor": row.extreme_poor, "floor_area_m2": row.floor_area_m2,
            "floor": row.floor, "wall": row.wall, "roof": row.roof, "drinking_water": row.drinking_water,
            "lighting": row.lighting, "cooking_fuel": row.cooking_fuel, "toilet": row.toilet, "status": row.status,
            "inactive_reason": None if row.status == "active" else "moved",
        })
        for m in row.members:
            members.append({
                "id": m.id, "household_id": row.id, "nik": nik(m.born, female=m.sex == "F"), "name": "Warga Uji",
                "sex": m.sex, "birth_date": m.born, "relationship": m.relationship, "education": m.education,
                "school_participation": m.school_participation, "occupation": m.occupation,
                "disability": m.disability, "chronic_illness": m.chronic_illness, "pregnant": m.pregnant,
                "status": m.status, "inactive_reason": None if m.status == "active" else "deceased",
            })
    if households:
        await connection.execute(insert(Household), households)
    if members:
        await connection.execute(insert(Member), members)
    return rows
