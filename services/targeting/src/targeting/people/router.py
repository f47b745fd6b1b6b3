"""POST /api/v1/people/search."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from kit.app import StrictModel
from kit.problems import problem_responses
from targeting.households.dependencies import ReadService
from targeting.households.repository import HouseholdRepository
from targeting.households.schemas import MemberRead, Nik, member_read

router = APIRouter(prefix="/api/v1/people", tags=["people"])

MAX_MATCHES = 50


RegionCode = Annotated[str, Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]


class SearchByNik(StrictModel):
    nik: Nik
    region: RegionCode | None = None


class SearchByName(StrictModel):
    name: Annotated[str, StringConstraints(min_length=2, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
    birth_date: date
    region: RegionCode | None = None


PeopleSearch = SearchByNik | SearchByName


class PersonMatch(BaseModel):
    member: MemberRead
    household_id: uuid.UUID
    region_code: str
    household_status: str


class PeopleMatches(BaseModel):
    items: list[PersonMatch] = Field(description=f"At most {MAX_MATCHES}, active members first.")


@router.post("/search", response_model=PeopleMatches, summary="Find people by NIK or by name and birth date",
             description="NIK never travels in a URL, so this is a POST. `name` matches the start of the "
             "recorded name, ignoring case and repeated spaces, together with an exact `birth_date`. Only "
             "members of households in the token's region are searched; `region` narrows further (403 when "
             "disjoint). Results are masked without `pii:read`.",
             responses=problem_responses(401, 403, 422))
async def search_people(body: PeopleSearch, service: ReadService) -> PeopleMatches:
    region = service.principal.narrow(body.region)
    rows = await HouseholdRepository(service.session).search_people(
        region, nik=body.nik if isinstance(body, SearchByNik) else None,
        name=body.name if isinstance(body, SearchByName) else None,
        birth_date=body.birth_date if isinstance(body, SearchByName) else None, limit=MAX_MATCHES)
    await service.audit.record(service.principal, "people.search", "member", [m.id for m, _ in rows])
    pii = service.principal.can_read_pii
    return PeopleMatches(items=[
        PersonMatch(member=member_read(m, pii=pii), household_id=h.id, region_code=h.region_code,
                    household_status=h.status) for m, h in rows])
