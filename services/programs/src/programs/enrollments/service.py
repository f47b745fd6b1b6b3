"""Enrolment rules: every ref is checked against the registry in bulk, then classified and enrolled set-wise.

A ref is refused as `not_found` (no such household for the caller: the registry answers for the caller's
region only), `inactive`, `out_of_scope` (outside the programme's agency region) or `outside_priority_areas`
(the programme names priority areas and the household lies in none), in that order. Accepted households that
fail the programme's criteria are enrolled all the same and counted as `off_target`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from kit.auth import Principal, region_covers
from kit.privacy import mask_identifier
from programs.agencies.models import Agency
from programs.enrollments.errors import EnrollmentUnitMismatchError
from programs.enrollments.repository import Candidate, EnrollmentRepository
from programs.enrollments.schemas import (
    EnrollmentCreate,
    EnrollmentRead,
    EnrollmentResult,
    Rejection,
    RejectionReason,
)
from programs.programmes.errors import ProgramClosedError
from programs.programmes.models import BeneficiaryUnit, Program, ProgramStatus
from programs.programmes.service import ProgramService
from programs.registry.client import RegistryClient
from programs.registry.schemas import RegistryEntry


def classify(
    entry: RegistryEntry, program: Program, agency: Agency, principal: Principal
) -> RejectionReason | None:
    by_member = program.unit == BeneficiaryUnit.person
    if (not entry.found or entry.household_id is None or entry.region_code is None
            or (by_member and entry.member_id is None) or not principal.covers(entry.region_code)):
        return RejectionReason.not_found
    if entry.status != "active":
        return RejectionReason.inactive
    if not region_covers(agency.region_code, entry.region_code):
        return RejectionReason.out_of_scope
    if program.priority_areas and not any(region_covers(a, entry.region_code) for a in program.priority_areas):
        return RejectionReason.outside_priority_areas
    return None


class EnrollmentService:
    def __init__(self, repository: EnrollmentRepository, programs: ProgramService) -> None:
        self.repository = repository
        self.programs = programs

    async def enrol(
        self, program_id: uuid.UUID, body: EnrollmentCreate, principal: Principal, registry: RegistryClient
    ) -> EnrollmentResult:
        program, agency = await self.programs.writable(program_id, principal)
        if program.status == ProgramStatus.closed:
            raise ProgramClosedError("The programme is closed: it takes no more enrolments.")
        by_member = program.unit == BeneficiaryUnit.person
        if by_member and body.niks is None:
            pointer = "/household_ids" if body.household_ids is not None else "/target_list_id"
            raise EnrollmentUnitMismatchError("This programme enrols persons: send their NIKs.", errors=[
                {"pointer": pointer, "detail": "a person programme enrols members by NIK"}])

        refs, indexes = _first_positions(await _refs(body, registry))
        if body.niks is not None:
            entries = await registry.lookup_people(refs, criteria=program.criteria)
        else:
            entries = await registry.lookup_households([uuid.UUID(r) for r in refs], criteria=program.criteria)

        rejected: list[Rejection] = []
        candidates: dict[uuid.UUID, Candidate] = {}
        for ref, index, entry in zip(refs, indexes, entries, strict=True):
            reason = classify(entry, program, agency, principal)
            if reason is not None:
                shown = mask_identifier(ref) if body.niks is not None and not principal.can_read_pii else ref
                rejected.append(Rejection(index=index, ref=shown, reason=reason))
                continue
            key = entry.member_id if by_member else entry.household_id
            candidates.setdefault(key, Candidate(  # type: ignore[arg-type]
                household_id=entry.household_id,  # type: ignore[arg-type]
                member_id=entry.member_id if by_member else None,
                region_code=entry.region_code,  # type: ignore[arg-type]
                matches_criteria=entry.matches_criteria if program.criteria is not None else None,
            ))
        enrolled, off_target = await self.repository.enrol(
            program.id, list(candidates.values()), by_member=by_member, enrolled_by=principal.client_id
        )
        accepted = len(refs) - len(rejected)
        return EnrollmentResult(enrolled=enrolled, already_enrolled=accepted - enrolled, rejected=rejected,
                                off_target=off_target)

    async def list(
        self, program_id: uuid.UUID, principal: Principal, *, after: int | None, limit: int
    ) -> list[EnrollmentRead]:
        program, _ = await self.programs.readable(program_id, principal)
        rows = await self.repository.list(program.id, principal, after=after, limit=limit)
        return [EnrollmentRead.model_validate(r) for r in rows]


async def _refs(body: EnrollmentCreate, registry: RegistryClient) -> list[str]:
    if body.household_ids is not None:
        return [str(h) for h in body.household_ids]
    if body.niks is not None:
        return list(body.niks)
    assert body.target_list_id is not None
    return [str(h.household_id) for h in await registry.target_list_households(body.target_list_id)]


def _first_positions(refs: Sequence[str]) -> tuple[list[str], list[int]]:
    """Distinct refs in order, with the position each first appeared at; repeats count once."""
    seen: dict[str, int] = {}
    for index, ref in enumerate(refs):
        seen.setdefault(ref, index)
    return list(seen), list(seen.values())
