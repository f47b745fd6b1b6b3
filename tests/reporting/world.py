"""A small province built through the real APIs, kept beside as plain Python records so each test can compute
every figure its own way (loops over these records) and compare it with the reports' SQL.

The edge cases the issue names are in it: a household deactivated after enrolment (leakage), a programme with a
zero budget, a household reached by two programmes of one sector, and an area (district 18.71.02) without
extreme-poor households.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.programs.factories import create_agency, create_program
from tests.targeting import factories as f

V1 = "18.71.01.1003"          # district 18.71.01, designated for 2022
V2 = "18.71.01.1004"          # district 18.71.01
SUKARAME = "18.71.02.1003"    # district 18.71.02: no extreme poor
SELATAN = "18.01.04.2001"     # another regency


@dataclass
class House:
    id: str
    region_code: str
    extreme_poor: bool
    welfare_decile: int | None
    active: bool = True
    head_name: str = ""
    head_nik: str = ""
    no_kk: str = ""


@dataclass
class Prog:
    id: str
    agency_id: str
    agency_region: str
    sector: str
    strategy: str
    budget_idr: int
    target: int
    fiscal_year: int = 2022


@dataclass
class World:
    houses: dict[str, House] = field(default_factory=dict)
    programs: dict[str, Prog] = field(default_factory=dict)
    enrolments: list[tuple[str, str]] = field(default_factory=list)           # (program, household)
    deliveries: list[tuple[str, str, str]] = field(default_factory=list)      # (program, household, date)
    spending: dict[tuple[str, str], int] = field(default_factory=dict)        # (program, period) -> amount
    designated: dict[int, list[str]] = field(default_factory=dict)

    def inside(self, code: str, region: str) -> bool:
        return code == region or code.startswith(region + ".")


async def build(targeting, programs, auth) -> World:  # type: ignore[no-untyped-def]
    world = World()
    headers = auth()

    async def house(key: str, region: str, extreme_poor: bool, decile: int | None) -> House:
        created = await f.create(targeting, headers, region_code=region, extreme_poor=extreme_poor,
                                 welfare_decile=decile)
        head = created["members"][0]
        world.houses[key] = House(created["id"], region, extreme_poor, decile, head_name=head["name"],
                                  head_nik=head["nik"], no_kk=created["no_kk"])
        return world.houses[key]

    await house("h1", V1, True, 1)
    await house("h2", V1, True, 2)
    await house("h3", V2, True, 1)
    await house("h4", V2, False, 3)
    await house("h5", SUKARAME, False, 8)
    await house("h6", SELATAN, True, 1)
    await house("h7", V1, True, 1)

    province = await create_agency(programs, headers, "18", code="BAPPEDA-T", name="Bappeda Provinsi")
    city = await create_agency(programs, headers, "18.71", code="DINKES-T", name="Dinas Kesehatan Kota")

    async def program(key: str, agency: dict[str, Any], sector: str, strategy: str, budget: int, target: int) -> Prog:
        created = await create_program(programs, headers, agency["id"], sector=sector, strategy=strategy,
                                       budget_idr=budget, target_beneficiaries=target, code=f"T-{key}",
                                       funding_source="apbd_province" if agency is province else "apbd_regency")
        world.programs[key] = Prog(created["id"], agency["id"], agency["region_code"], sector, strategy, budget,
                                   target)
        return world.programs[key]

    await program("p1", city, "health", "reduce_burden", 1_000_000, 4)
    await program("p2", city, "health", "reduce_burden", 0, 0)
    await program("p3", province, "education", "increase_income", 500_000, 10)
    await program("p4", city, "water_sanitation", "reduce_pockets", 200_000, 2)

    for p, hs in {"p1": ["h1", "h2", "h4", "h7"], "p2": ["h1", "h3"], "p3": ["h1", "h3", "h6"],
                  "p4": ["h1"]}.items():
        response = await programs.post(f"/api/v1/programs/{world.programs[p].id}/enrollments", headers=headers,
                                       json={"household_ids": [world.houses[h].id for h in hs]})
        assert response.status_code == 200 and response.json()["enrolled"] == len(hs), response.text
        world.enrolments += [(p, h) for h in hs]

    for p, h, day in [("p1", "h1", "2022-03-01"), ("p1", "h1", "2022-06-01"), ("p1", "h2", "2022-04-01"),
                      ("p1", "h7", "2022-05-01"), ("p2", "h1", "2022-03-02"), ("p3", "h1", "2022-07-01"),
                      ("p3", "h6", "2022-07-01"), ("p4", "h1", "2022-08-01")]:
        response = await programs.post(f"/api/v1/programs/{world.programs[p].id}/deliveries", headers=headers, json=[
            {"household_id": world.houses[h].id, "delivered_on": day, "value_idr": 100_000, "quantity": 1,
             "unit": "paket"}])
        assert response.status_code in (200, 201), response.text
        world.deliveries.append((p, h, day))

    for p, period, amount in [("p1", "2022-03", 300_000), ("p1", "2022-04", 200_000), ("p1", "2022-04", 250_000),
                              ("p3", "2022-07", 100_000)]:
        response = await programs.post(f"/api/v1/programs/{world.programs[p].id}/spending", headers=headers,
                                       json=[{"period": period, "amount_idr": amount}])
        assert response.status_code in (200, 201), response.text
        world.spending[(p, period)] = amount

    # Deactivated after its enrolment and delivery: leakage.
    response = await targeting.post(f"/api/v1/households/{world.houses['h7'].id}/deactivate",
                                    json={"reason": "moved"}, headers=headers)
    assert response.status_code == 200, response.text
    world.houses["h7"].active = False

    response = await targeting.put("/api/v1/priority-areas/2022/designations", headers=headers,
                                   json={"level": "district", "region_codes": ["18.71.01"]})
    assert response.status_code == 200, response.text
    world.designated[2022] = ["18.71.01"]
    return world
