"""Targeting use cases: evaluate criteria into counts, and test given households against criteria."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.clock import today_jakarta
from targeting.criteria.compiler import compile_criteria
from targeting.criteria.parser import parse_criteria
from targeting.criteria.repository import CriteriaRepository
from targeting.criteria.schemas import EvaluateRequest, EvaluationGroup, EvaluationRead
from targeting.regions.schemas import AREA_CODE_WIDTH


def criteria_predicate(raw: Any, as_of: date | None, pointer: str = "/criteria") -> ColumnElement[bool]:
    """Validate (422 with pointers) and compile; the one way every feature turns criteria into SQL."""
    return compile_criteria(parse_criteria(raw, pointer), as_of=as_of or today_jakarta())


class CriteriaService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.repository = CriteriaRepository(session)

    async def evaluate(self, request: EvaluateRequest) -> EvaluationRead:
        as_of = request.as_of or today_jakarta()
        predicate = criteria_predicate(request.criteria, as_of)
        region = self.principal.narrow(request.region)
        width = AREA_CODE_WIDTH[request.group_by] if request.group_by else None
        rows = await self.repository.count(predicate, region=region, key_width=width)
        groups = [EvaluationGroup(region_code=code, name=name, households=h, members=m) for code, name, h, m in rows]
        return EvaluationRead(
            households=sum(g.households for g in groups), members=sum(g.members for g in groups),
            groups=groups if request.group_by else [], region=region, as_of=as_of,
        )
