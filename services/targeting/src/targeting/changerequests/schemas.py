"""Wire format of change requests. The payload is checked with the very schemas of the direct endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, ValidationError, WithJsonSchema

from kit.app import StrictModel
from kit.privacy import initials, mask_identifier
from kit.problems import validation_errors
from targeting.changerequests.errors import ChangeRequestInvalidError
from targeting.changerequests.models import ChangeKind, ChangeRequest, ChangeSource, ChangeStatus
from targeting.households.schemas import Deactivation, HouseholdCreate, HouseholdUpdate, MemberCreate, MemberUpdate

PAYLOAD_SCHEMAS: dict[ChangeKind, type[BaseModel]] = {
    ChangeKind.new_household: HouseholdCreate,
    ChangeKind.update_household: HouseholdUpdate,
    ChangeKind.deactivate_household: Deactivation,
    ChangeKind.add_member: MemberCreate,
    ChangeKind.update_member: MemberUpdate,
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+$")]

PayloadJson = Annotated[dict[str, Any], WithJsonSchema({
    "type": "object",
    "description": "The change, in the body of the matching direct endpoint: `new_household` = HouseholdCreate "
    "(POST /api/v1/households), `update_household` = HouseholdUpdate (PATCH), `deactivate_household` = "
    "Deactivation, `add_member` = MemberCreate, `update_member` = MemberUpdate. Validated with those very "
    "schemas at submission (422 `invalid-change-request`, pointers under `/payload`), then frozen.",
    "oneOf": [{"$ref": f"#/components/schemas/{schema.__name__}"} for schema in PAYLOAD_SCHEMAS.values()],
})]


class ChangeRequestCreate(StrictModel):
    kind: ChangeKind
    household_id: uuid.UUID | None = Field(default=None, description="The target household; required for every "
                                           "kind but new_household, which must not send it.")
    member_id: uuid.UUID | None = Field(default=None, description="The target member; update_member only.")
    payload: PayloadJson
    reason: Text = Field(description="Why the change is proposed.")
    source: ChangeSource = Field(default=ChangeSource.operator, description="Who proposed it: a desa/kelurahan "
                                 "operator, a citizen (Cek Bansos usul/sanggah), or a village deliberation (musdes).")
    document_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                                   pattern=r"^[^\x00-\x1f\x7f]+$")] | None = Field(
        default=None, description="Reference of the supporting document, e.g. the berita acara musdes.")


class ChangeRequestNote(StrictModel):
    note: Text | None = Field(default=None, description="Required to reject.")


FREE_TEXT = "Free text, which may name people: omitted (null) without `pii:read`."


class ChangeRequestStep(BaseModel):
    action: ChangeStatus = Field(description="submitted | verified | approved | rejected")
    by: str = Field(description="The client that took the step.")
    region: str = Field(description="That client's region.")
    at: datetime
    note: str | None = Field(description=FREE_TEXT)


class ChangeRequestRead(BaseModel):
    id: uuid.UUID
    kind: ChangeKind
    status: ChangeStatus
    source: ChangeSource
    household_id: uuid.UUID | None = Field(description="The target; for new_household, the household created "
                                           "on approval (null before).")
    member_id: uuid.UUID | None = Field(description="The target; for add_member, the member created on approval.")
    region_code: str = Field(description="new_household: the payload's village; otherwise the target "
                             "household's village at submission.")
    payload: dict[str, Any] = Field(description="As frozen at submission; `nik` and `no_kk` masked, names "
                                    "reduced to initials and addresses omitted without `pii:read`.")
    reason: str | None = Field(description=FREE_TEXT)
    document_ref: str | None
    target_version: int | None = Field(description="The target's version at submission (member's for "
                                       "update_member, household's otherwise); approval refuses with 409 "
                                       "`change-request-stale` when it has changed since.")
    submitted_by: str
    submitted_at: datetime
    history: list[ChangeRequestStep]


def validated_payload(kind: ChangeKind, raw: dict[str, Any]) -> BaseModel:
    try:
        return PAYLOAD_SCHEMAS[kind].model_validate(raw)
    except ValidationError as exc:
        errors = validation_errors([{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()])
        raise ChangeRequestInvalidError(f"The payload is not a valid {PAYLOAD_SCHEMAS[kind].__name__}; see errors.",
                                        errors=errors) from None


def frozen_payload(payload: BaseModel) -> dict[str, Any]:
    """Only what was sent (a PATCH-like payload must not grow nulls that would clear fields on approval)."""
    return payload.model_dump(mode="json", exclude_unset=True)


def _masked(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if key in ("nik", "no_kk") and isinstance(value, str):
        return mask_identifier(value)
    if key == "name" and isinstance(value, str):
        return initials(value)
    if key == "address":
        return None
    return value


def change_request_read(request: ChangeRequest, *, pii: bool) -> ChangeRequestRead:
    return ChangeRequestRead(
        id=request.id, kind=request.kind, status=request.status, source=request.source,
        household_id=request.household_id, member_id=request.member_id, region_code=request.region_code,
        payload=request.payload if pii else _masked(request.payload), reason=request.reason if pii else None,
        document_ref=request.document_ref, target_version=request.target_version,
        submitted_by=request.submitted_by, submitted_at=request.submitted_at,
        history=[ChangeRequestStep(action=e.action, by=e.actor, region=e.actor_region, at=e.at,
                                   note=e.note if pii else None) for e in request.events],
    )
