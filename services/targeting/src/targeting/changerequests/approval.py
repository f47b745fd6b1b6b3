"""Applying an approved change: the same HouseholdService methods as the direct endpoints, after checking
that the target is still the version the request was submitted against (never overwrite a newer state)."""

from __future__ import annotations

import uuid
from typing import Any

from targeting.changerequests.errors import ChangeRequestStaleError
from targeting.changerequests.models import ChangeKind, ChangeRequest
from targeting.changerequests.schemas import validated_payload
from targeting.households.repository import HouseholdRepository
from targeting.households.service import HouseholdService


async def apply_change(request: ChangeRequest, registry: HouseholdService) -> None:
    kind = ChangeKind(request.kind)
    payload: Any = validated_payload(kind, request.payload)
    if kind is ChangeKind.new_household:
        household = await registry.create(payload, source="change_request")
        request.household_id = household.id
        return
    household_id = request.household_id
    assert household_id is not None and request.target_version is not None
    await _check_current(request, registry.households, household_id, registry.principal.region)
    if kind is ChangeKind.update_household:
        await registry.update(household_id, request.target_version, payload)
    elif kind is ChangeKind.deactivate_household:
        await registry.deactivate(household_id, payload.reason.value, request.target_version)
    elif kind is ChangeKind.add_member:
        member = await registry.add_member(household_id, payload)
        request.member_id = member.id
    else:
        assert request.member_id is not None
        await registry.update_member(household_id, request.member_id, request.target_version, payload)


async def _check_current(request: ChangeRequest, households: HouseholdRepository, household_id: uuid.UUID,
                         region: str) -> None:
    household = await households.get(household_id, region, for_update=True)
    if request.kind == ChangeKind.update_member:
        member = await households.member(household_id, request.member_id) \
            if household is not None and request.member_id is not None else None
        current = member.version if member is not None else None
        what = "member"
    else:
        current = household.version if household is not None else None
        what = "household"
    if current != request.target_version:
        raise ChangeRequestStaleError(
            f"The {what} changed after this request was submitted (version {request.target_version}, now "
            f"{current if current is not None else 'gone from this region'}); reject it and submit a new one "
            "against the current record.")
