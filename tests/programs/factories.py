"""Small factories for the programs tests: agencies, partners and programmes through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


def agency_body(region_code: str = "18.71", **overrides: Any) -> dict[str, Any]:
    level = "province" if "." not in region_code else "regency"
    return {"code": f"OPD-{uuid.uuid4().hex[:8]}", "name": f"Dinas Sosial {region_code}", "level": level,
            "region_code": region_code} | overrides


async def create_agency(client: httpx.AsyncClient, headers: dict[str, str], region_code: str = "18.71",
                        **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/agencies", json=agency_body(region_code, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def program_body(agency_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "code": f"PRG-{uuid.uuid4().hex[:8]}", "name": "Bantuan sosial lanjut usia", "agency_id": agency_id,
        "fiscal_year": 2022, "strategy": "reduce_burden", "cluster": 1, "sector": "social_assistance",
        "unit": "household", "benefit": "cash", "budget_idr": 1_500_000_000, "funding_source": "apbd_regency",
        "target_beneficiaries": 1000,
    } | overrides


async def create_program(client: httpx.AsyncClient, headers: dict[str, str], agency_id: str,
                         **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/programs", json=program_body(agency_id, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def agency_program(client: httpx.AsyncClient, headers: dict[str, str], region_code: str = "18.71",
                         **overrides: Any) -> dict[str, Any]:
    """A programme of a new agency in `region_code`."""
    agency = await create_agency(client, headers, region_code)
    return await create_program(client, headers, agency["id"], **overrides)


async def enrol(client: httpx.AsyncClient, headers: dict[str, str], program_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/programs/{program_id}/enrollments", json=body, headers=headers)


def ids(*households: Any) -> list[str]:
    return [str(h.id) for h in households]
