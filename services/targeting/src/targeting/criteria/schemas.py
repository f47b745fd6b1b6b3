"""Wire format of criteria and of POST /api/v1/targeting/evaluate."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from kit.app import StrictModel
from targeting.criteria.parser import MAX_DEPTH, MAX_IN_VALUES, MAX_NODES
from targeting.regions.schemas import AreaLevel, RegionCodeText

CRITERIA_GRAMMAR = (
    "A criteria tree. A node is one of `{\"all\": [node, ...]}` (true when every child is true; empty: true), "
    "`{\"any\": [node, ...]}` (true when a child is true; empty: false), `{\"not\": node}`, "
    "`{\"member\": node}` (true when at least one ACTIVE member of the household satisfies the node, which "
    "names member fields; never unknown), or a leaf `{\"field\", \"op\", \"value\"}`. Ops: `eq ne lt lte gt "
    "gte` (a scalar), `in` (an array), `between` (`[low, high]`, both included), `is_null` (`true`/`false`). "
    "A comparison with a null field is unknown; `not` of unknown stays unknown (SQL three-valued logic); a "
    f"household matches only when the whole tree is true. At most {MAX_DEPTH} levels, {MAX_NODES} nodes and "
    f"{MAX_IN_VALUES} values per `in`. Problems answer 422 `invalid-criteria` with one JSON pointer per "
    "problem (`/criteria/all/1/value`)."
)

CriteriaJson = Annotated[
    dict[str, Any],
    WithJsonSchema({"type": "object", "description": CRITERIA_GRAMMAR, "examples": [
        {"all": [{"field": "welfare_decile", "op": "lte", "value": 2},
                 {"member": {"all": [{"field": "age", "op": "between", "value": [7, 15]},
                                     {"field": "school_participation", "op": "eq", "value": "dropped_out"}]}}]},
    ]}),
]

def _iso_date_text(value: object) -> object:
    # A JSON number is not a date: refuse it rather than read it as a Unix timestamp.
    if not isinstance(value, str | date):
        raise PydanticCustomError("date_type", "A date is a YYYY-MM-DD string.")
    return value


AsOf = Annotated[date, BeforeValidator(_iso_date_text), Field(ge=date(1900, 1, 1), le=date(2200, 12, 31),
                 description="The date `age` is computed at; default today in Asia/Jakarta.")]


class EvaluateRequest(StrictModel):
    criteria: CriteriaJson
    region: RegionCodeText | None = Field(default=None, description="Limit to this subtree (narrowed to the "
                                          "token's region; disjoint answers 403).")
    group_by: AreaLevel | None = Field(default=None, description="Also count per regency, district or village.")
    as_of: AsOf | None = None


class EvaluationGroup(BaseModel):
    region_code: str
    name: str | None = Field(description="The area's name from the region table.")
    households: int
    members: int


class EvaluationRead(BaseModel):
    households: int = Field(description="Active households whose criteria are true.")
    members: int = Field(description="Active members of those households.")
    groups: list[EvaluationGroup] = Field(description="Per area when `group_by` is given (areas without a "
                                          "matching household are left out), ordered by code; else empty.")
    region: str = Field(description="The region counted over, after narrowing to the token's.")
    as_of: date
