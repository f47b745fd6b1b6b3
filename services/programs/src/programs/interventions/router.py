"""GET /api/v1/interventions?household_id=: one household's enrolments and deliveries across programmes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kit.database import SessionDep
from kit.problems import problem_responses
from programs.access import Reader
from programs.interventions.repository import InterventionRepository
from programs.interventions.schemas import InterventionDelivery, InterventionEnrollment, InterventionsRead

router = APIRouter(prefix="/api/v1/interventions", tags=["interventions"])


@router.get("", response_model=InterventionsRead, summary="One household's enrolments and deliveries",
            description="Every enrolment and delivery of the household across all programmes, with each "
            "programme's code, sector and fiscal year. Region rule: a household outside the token's region "
            "answers exactly like one no programme has touched (empty lists).",
            responses=problem_responses(401, 403, 422))
async def list_interventions(
    household_id: Annotated[uuid.UUID, Query()], session: SessionDep, principal: Reader
) -> InterventionsRead:
    # No rules beyond the region filter the repository applies, so no service layer in between.
    repository = InterventionRepository(session)
    enrollments = await repository.enrollments(household_id, principal)
    deliveries = await repository.deliveries(household_id, principal)
    return InterventionsRead(
        household_id=household_id,
        enrollments=[InterventionEnrollment.model_validate(dict(r)) for r in enrollments],
        deliveries=[InterventionDelivery.model_validate(dict(r)) for r in deliveries],
    )
