"""Change-request use cases: submit (validate and freeze), verify, approve (four eyes, stale check, apply),
reject, and read. Steps are guarded by a row lock, so two approvers cannot both apply one request."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kit.auth import Principal
from kit.ids import uuid7
from kit.problems import ForbiddenError
from targeting.audit.repository import AuditRepository
from targeting.changerequests.approval import apply_change
from targeting.changerequests.errors import (
    ChangeRequestInvalidError,
    ChangeRequestNotFoundError,
    ChangeRequestTransitionError,
    SelfApprovalError,
)
from targeting.changerequests.models import ChangeKind, ChangeRequest, ChangeStatus
from targeting.changerequests.repository import ChangeRequestRepository
from targeting.changerequests.schemas import ChangeRequestCreate, frozen_payload, validated_payload
from targeting.households.codes import Status
from targeting.households.errors import (
    HouseholdInactiveError,
    HouseholdNotFoundError,
    MemberNotFoundError,
    RegionOutsideScopeError,
    RegistryValidationError,
)
from targeting.households.repository import HouseholdRepository
from targeting.households.service import HouseholdService
from targeting.regions.catalog import RegionCatalog

NEEDS_TARGET = {ChangeKind.update_household, ChangeKind.deactivate_household, ChangeKind.add_member,
                ChangeKind.update_member}


class ChangeRequestService:
    def __init__(self, session: AsyncSession, principal: Principal, catalog: RegionCatalog) -> None:
        self.session = session
        self.principal = principal
        self.catalog = catalog
        self.requests = ChangeRequestRepository(session)
        self.households = HouseholdRepository(session)
        self.audit = AuditRepository(session)

    # --- submission --------------------------------------------------------------------------------

    async def submit(self, data: ChangeRequestCreate) -> ChangeRequest:
        self._check_targets(data)
        payload: Any = validated_payload(data.kind, data.payload)
        frozen = frozen_payload(payload)
        if data.kind in (ChangeKind.update_household, ChangeKind.update_member) and not frozen:
            raise ChangeRequestInvalidError("The payload changes nothing.",
                                            errors=[{"pointer": "/payload", "detail": "no field to change"}])
        if data.kind is ChangeKind.new_household:
            region, version = payload.region_code, None
            await self._check_village(region)
        else:
            region, version = await self._target(data)
            if data.kind is ChangeKind.update_household and frozen.get("region_code") is not None:
                await self._check_village(frozen["region_code"])
        request = ChangeRequest(
            id=uuid7(), kind=data.kind.value, status=ChangeStatus.submitted.value, source=data.source.value,
            household_id=data.household_id, member_id=data.member_id, region_code=region, payload=frozen,
            reason=data.reason, document_ref=data.document_ref, target_version=version,
            submitted_by=self.principal.client_id)
        await self.requests.add(request)
        await self.requests.record_step(request.id, ChangeStatus.submitted.value, self.principal, None)
        await self.audit.record(self.principal, "change_request.submit", "change_request", [request.id])
        return await self._reload(request.id)

    def _check_targets(self, data: ChangeRequestCreate) -> None:
        errors = []
        if data.kind in NEEDS_TARGET and data.household_id is None:
            errors.append({"pointer": "/household_id", "detail": f"required for {data.kind.value}"})
        if data.kind not in NEEDS_TARGET and data.household_id is not None:
            errors.append({"pointer": "/household_id", "detail": "not allowed for new_household"})
        if (data.kind is ChangeKind.update_member) != (data.member_id is not None):
            errors.append({"pointer": "/member_id", "detail": "required for update_member and allowed only there"})
        if errors:
            raise ChangeRequestInvalidError("The request does not name the target its kind needs.", errors=errors)

    async def _check_village(self, code: str) -> None:
        if not self.principal.covers(code):
            raise RegionOutsideScopeError(
                f"Region {code} lies outside this client's region {self.principal.region}.",
                errors=[{"pointer": "/payload/region_code", "detail": "outside the client's region"}])
        if code not in await self.catalog.current_villages(self.session, [code]):
            raise RegistryValidationError("region_code must be an existing village (desa/kelurahan).", errors=[
                {"pointer": "/payload/region_code", "detail": "unknown village", "code": "region_unknown"}])

    async def _target(self, data: ChangeRequestCreate) -> tuple[str, int]:
        assert data.household_id is not None
        household = await self.households.get(data.household_id, self.principal.region)
        if household is None:
            raise HouseholdNotFoundError(f"No household {data.household_id}.")
        if data.kind in (ChangeKind.deactivate_household, ChangeKind.add_member) and household.status != Status.active:
            raise HouseholdInactiveError("The household is inactive already.")
        if data.kind is ChangeKind.update_member:
            assert data.member_id is not None
            member = await self.households.member(household.id, data.member_id)
            if member is None:
                raise MemberNotFoundError(f"No member {data.member_id} in household {household.id}.")
            return household.region_code, member.version
        return household.region_code, household.version

    # --- steps -------------------------------------------------------------------------------------

    async def verify(self, request_id: uuid.UUID, note: str | None) -> ChangeRequest:
        request = await self._locked(request_id)
        self._require_status(request, "verified", ChangeStatus.submitted)
        request.status = ChangeStatus.verified.value
        await self.requests.flush()
        await self.requests.record_step(request.id, ChangeStatus.verified.value, self.principal, note)
        await self.audit.record(self.principal, "change_request.verify", "change_request", [request.id])
        return await self._reload(request.id)

    async def approve(self, request_id: uuid.UUID, note: str | None) -> ChangeRequest:
        request = await self._locked(request_id)
        self._require_status(request, "approved", ChangeStatus.verified)
        if request.submitted_by == self.principal.client_id:
            raise SelfApprovalError("Whoever submitted a change request cannot approve it; another client must.")
        # The request's own step first, the registry change (which appends to the feed) last.
        request.status = ChangeStatus.approved.value
        await self.requests.flush()
        await self.requests.record_step(request.id, ChangeStatus.approved.value, self.principal, note)
        await self.audit.record(self.principal, "change_request.approve", "change_request", [request.id])
        registry = HouseholdService(self.session, self.principal, self.catalog, change_request_id=request.id)
        await apply_change(request, registry)
        await self.requests.flush()
        return await self._reload(request.id)

    async def reject(self, request_id: uuid.UUID, note: str | None) -> ChangeRequest:
        request = await self._locked(request_id)
        self._require_status(request, "rejected", ChangeStatus.submitted, ChangeStatus.verified)
        if request.status == ChangeStatus.verified and not self.principal.has("registry:approve"):
            raise ForbiddenError("Rejecting a verified request needs the scope registry:approve.")
        if not (self.principal.has("registry:write") or self.principal.has("registry:approve")):
            raise ForbiddenError("Rejecting a submitted request needs the scope registry:write or registry:approve.")
        if not note:
            raise ChangeRequestInvalidError("A rejection needs a note saying why.",
                                            errors=[{"pointer": "/note", "detail": "required to reject"}])
        request.status = ChangeStatus.rejected.value
        await self.requests.flush()
        await self.requests.record_step(request.id, ChangeStatus.rejected.value, self.principal, note)
        await self.audit.record(self.principal, "change_request.reject", "change_request", [request.id])
        return await self._reload(request.id)

    # --- reads -------------------------------------------------------------------------------------

    async def read(self, request_id: uuid.UUID) -> ChangeRequest:
        request = await self.requests.get(request_id, self.principal.region)
        if request is None:
            raise ChangeRequestNotFoundError(f"No change request {request_id}.")
        await self.audit.record(self.principal, "change_request.read", "change_request", [request.id])
        return request

    async def list(self, *, region: str | None, status: ChangeStatus | None, kind: ChangeKind | None,
                   after: uuid.UUID | None, limit: int) -> Sequence[ChangeRequest]:
        rows = await self.requests.list(self.principal.narrow(region), status=status.value if status else None,
                                        kind=kind.value if kind else None, after=after, limit=limit)
        await self.audit.record(self.principal, "change_request.list", "change_request", [r.id for r in rows])
        return rows

    # --- rules -------------------------------------------------------------------------------------

    async def _locked(self, request_id: uuid.UUID) -> ChangeRequest:
        request = await self.requests.get(request_id, self.principal.region, for_update=True)
        if request is None:
            raise ChangeRequestNotFoundError(f"No change request {request_id}.")
        return request

    @staticmethod
    def _require_status(request: ChangeRequest, target: str, *expected: ChangeStatus) -> None:
        if request.status not in expected:
            raise ChangeRequestTransitionError(
                f"This request is {request.status}; only a {' or '.join(e.value for e in expected)} request can be "
                f"{target}.", extra={"current_status": request.status})

    async def _reload(self, request_id: uuid.UUID) -> ChangeRequest:
        request = await self.requests.get(request_id, self.principal.region)
        assert request is not None
        return request
