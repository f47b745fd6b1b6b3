"""POST /api/v1/targeting/evaluate: how many households and people a set of criteria selects, by area."""

from __future__ import annotations

from fastapi import APIRouter

from kit.problems import problem_responses
from targeting.criteria.dependencies import CriteriaServiceDep
from targeting.criteria.fields import describe_fields
from targeting.criteria.schemas import CRITERIA_GRAMMAR, EvaluateRequest, EvaluationRead

router = APIRouter(prefix="/api/v1/targeting", tags=["targeting"])

EVALUATE_DESCRIPTION = f"""Counts the households the criteria select, and their people.

**Counting rule**: active households only; `members` = the active members of the matching households.
Counts cover the token's region, or `region` inside it (an ancestor is narrowed to the token's region, a
disjoint one answers 403). `group_by` adds one row per regency, district or village holding at least one
matching household. Needs `registry:read`; answers counts only, no personal data.

**Criteria.** {CRITERIA_GRAMMAR}

`age` is in completed years at `as_of` (default: today in Asia/Jakarta); someone born on 29 February
completes a year on 1 March in common years. `as_of` moves only the date ages are computed at: it does not
rewind the registry (households and members are as they stand now; one born after `as_of` has a negative age).

{describe_fields()}
"""


@router.post("/evaluate", response_model=EvaluationRead, summary="Count the households criteria select",
             description=EVALUATE_DESCRIPTION, responses=problem_responses(401, 403, 422))
async def evaluate_criteria(body: EvaluateRequest, service: CriteriaServiceDep) -> EvaluationRead:
    return await service.evaluate(body)
