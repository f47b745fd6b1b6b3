"""POST /api/v1/households/lookup: bulk resolution of household ids or NIKs for other services (enrolment)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kit.app import StrictModel
from kit.problems import problem_responses
from targeting.criteria.repository import CriteriaRepository
from targeting.criteria.schemas import AsOf, CriteriaJson
from targeting.criteria.service import criteria_predicate
from targeting.households.dependencies import ReadService
from targeting.households.repository import HouseholdRepository

router = APIRouter(prefix="/api/v1/households", tags=["households"])

MAX_LOOKUP = 10_000


class _LookupOptions(StrictModel):
    criteria: CriteriaJson | None = Field(default=None, description="When given, each found item carries "
                                          "`matches_criteria` (see POST /api/v1/targeting/evaluate).")
    as_of: AsOf | None = None


class LookupByIds(_LookupOptions):
    household_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_LOOKUP)]


class LookupByNiks(_LookupOptions):
    niks: Annotated[list[Annotated[str, Field(pattern=r"^[0-9]{16}$")]], Field(max_length=MAX_LOOKUP)]


LookupRequest = LookupByIds | LookupByNiks


class LookupItem(BaseModel):
    ref: str = Field(description="The id or NIK as sent (a NIK is echoed only to its sender).")
    found: bool = Field(description="False when absent or outside the caller's region.")
    household_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = Field(default=None, description="For NIK lookups: the member holding it.")
    region_code: str | None = None
    status: str | None = Field(default=None, description="The household's status (for NIKs: the member's, "
                               "inactive when either is inactive).")
    welfare_decile: int | None = None
    extreme_poor: bool | None = None
    matches_criteria: bool | None = Field(default=None, description="Whether the household is active and the "
                                          "request's criteria are true for it (unknown counts as false); null "
                                          "when no criteria were sent or the ref was not found.")


class LookupResponse(BaseModel):
    items: list[LookupItem]


@router.post("/lookup", response_model=LookupResponse, summary="Resolve household ids or NIKs in bulk",
             description=f"Up to {MAX_LOOKUP:,} refs per call, answered in request order. Refs outside the "
             "token's region come back `found: false`, exactly like absent ones. NIKs travel in the body, never "
             "in a URL. Used by the programs service to check enrolments against the registry. With `criteria` (and "
             "`as_of`), every found household is also tested against them in one query (`matches_criteria`), "
             "e.g. for a programme's `off_target` count.",
             responses=problem_responses(401, 403, 422))
async def lookup_households(body: LookupRequest, service: ReadService) -> LookupResponse:
    repository = HouseholdRepository(service.session)
    region = service.principal.region
    predicate = criteria_predicate(body.criteria, body.as_of) if body.criteria is not None else None
    items: list[LookupItem] = []
    if isinstance(body, LookupByIds):
        households, _ = await repository.lookup(region, household_ids=body.household_ids)
        for ref in body.household_ids:
            h = households.get(ref)
            items.append(LookupItem(ref=str(ref), found=False) if h is None else LookupItem(
                ref=str(ref), found=True, household_id=h.id, region_code=h.region_code, status=h.status,
                welfare_decile=h.welfare_decile, extreme_poor=h.extreme_poor))
        await service.audit.record(service.principal, "household.lookup", "household", list(households))
    else:
        niks = body.niks
        _, people = await repository.lookup(region, niks=niks)
        for ref in niks:
            p = people.get(ref)
            if p is None:
                items.append(LookupItem(ref=ref, found=False))
                continue
            status = "active" if p.member_status == "active" and p.status == "active" else "inactive"
            items.append(LookupItem(ref=ref, found=True, household_id=p.id, member_id=p.member_id,
                                    region_code=p.region_code, status=status, welfare_decile=p.welfare_decile,
                                    extreme_poor=p.extreme_poor))
        await service.audit.record(service.principal, "member.lookup", "member", [p.member_id for p in people.values()])
    if predicate is not None:
        found = list({item.household_id for item in items if item.household_id is not None})
        matched = await CriteriaRepository(service.session).matching_ids(predicate, found, region=region) \
            if found else set()
        for item in items:
            if item.found:
                item.matches_criteria = item.household_id in matched
    return LookupResponse(items=items)
