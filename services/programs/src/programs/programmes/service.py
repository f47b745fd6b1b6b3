"""Programme use cases: register and change programmes of agencies inside the client's region, read those
inside and above it, and the access checks the enrolment, delivery and spending features share."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from kit.auth import Principal, region_covers
from kit.concurrency import check_version
from programs.access import is_above
from programs.agencies.models import Agency
from programs.agencies.repository import AgencyRepository
from programs.feed.models import FeedEventType
from programs.feed.repository import FeedRepository
from programs.partners.repository import PartnerRepository
from programs.programmes.errors import (
    InvalidProgramError,
    ProgramCodeTakenError,
    ProgramNotFoundError,
    ProgramReadOnlyError,
    UnknownAgencyError,
)
from programs.programmes.models import Program
from programs.programmes.repository import ProgramKey, ProgramRepository
from programs.programmes.schemas import ProgramCreate, ProgramRead, ProgramRecord, ProgramUpdate


def program_record(program: Program, agency: Agency, partner_ids: Sequence[uuid.UUID]) -> ProgramRecord:
    return ProgramRecord(
        id=program.id, code=program.code, name=program.name, agency_id=program.agency_id, agency_level=agency.level,
        region_code=agency.region_code, fiscal_year=program.fiscal_year, strategy=program.strategy,
        cluster=program.cluster, sector=program.sector, unit=program.unit, benefit=program.benefit,
        budget_idr=program.budget_idr, funding_source=program.funding_source,
        target_beneficiaries=program.target_beneficiaries, criteria=program.criteria,
        priority_areas=list(program.priority_areas), partner_ids=list(partner_ids), status=program.status,
        version=program.version, created_at=program.created_at, updated_at=program.updated_at,
    )


def _dedupe(values: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class ProgramService:
    def __init__(
        self, repository: ProgramRepository, agencies: AgencyRepository, partners: PartnerRepository,
        feed: FeedRepository,
    ) -> None:
        self.repository = repository
        self.agencies = agencies
        self.partners = partners
        self.feed = feed

    async def readable(self, program_id: uuid.UUID, principal: Principal) -> tuple[Program, Agency]:
        found = await self.repository.get(program_id, principal)
        if found is None:
            raise ProgramNotFoundError(f"No programme {program_id}.")
        return found

    async def writable(
        self, program_id: uuid.UUID, principal: Principal, *, for_update: bool = False
    ) -> tuple[Program, Agency]:
        """404 when the client cannot see it; 403 when it belongs to an agency above the client's region."""
        found = await self.repository.get(program_id, principal, for_update=for_update)
        if found is None:
            raise ProgramNotFoundError(f"No programme {program_id}.")
        if is_above(principal, found[1].region_code):
            raise ProgramReadOnlyError(
                "This programme belongs to an agency above the client's region: it may read it, not change it."
            )
        return found

    async def create(self, body: ProgramCreate, principal: Principal) -> ProgramRead:
        agency = await self.agencies.get(body.agency_id, principal)
        if agency is None:
            raise UnknownAgencyError("No such agency.", errors=[
                {"pointer": "/agency_id", "detail": "no agency with this id for this client"}])
        if is_above(principal, agency.region_code):
            raise ProgramReadOnlyError("Programmes of an agency above the client's region are registered by it.")
        await self._check_targets(agency, body.priority_areas, body.partner_ids, principal)
        priority_areas = _dedupe(body.priority_areas)
        partner_ids = _dedupe(body.partner_ids)
        values = body.model_dump(mode="json", exclude={"partner_ids", "priority_areas"})
        values.update(agency_id=body.agency_id, priority_areas=priority_areas)
        program = await self.repository.insert(values)
        if program is None:
            raise ProgramCodeTakenError(
                f"Agency {agency.code} already has a programme {body.code} in {body.fiscal_year}."
            )
        await self.repository.set_partners(program.id, partner_ids)
        record = program_record(program, agency, partner_ids)
        await self.feed.append(FeedEventType.program_created, str(program.id), agency.region_code,
                               record.model_dump(mode="json"))
        return ProgramRead(**record.model_dump())

    async def get(self, program_id: uuid.UUID, principal: Principal) -> ProgramRead:
        program, agency = await self.readable(program_id, principal)
        return (await self._reads([(program, agency)], principal))[0]

    async def list(
        self, principal: Principal, *, filters: dict[str, Any], after: ProgramKey | None, limit: int
    ) -> list[ProgramRead]:
        rows = await self.repository.list(principal, filters=filters, after=after, limit=limit)
        return await self._reads(rows, principal)

    async def update(
        self, program_id: uuid.UUID, body: ProgramUpdate, principal: Principal, *, expected_version: int
    ) -> ProgramRead:
        program, agency = await self.writable(program_id, principal, for_update=True)
        check_version(program.version, expected_version)
        changes = body.changes()
        if not changes:
            return (await self._reads([(program, agency)], principal))[0]
        await self._check_targets(agency, body.priority_areas or [], body.partner_ids or [], principal)
        partner_ids = _dedupe(changes.pop("partner_ids")) if "partner_ids" in changes else None
        if "priority_areas" in changes:
            changes["priority_areas"] = _dedupe(changes["priority_areas"])
        updated = await self.repository.update(program, changes)
        if updated is None:
            raise ProgramCodeTakenError(
                f"Agency {agency.code} already has a programme {changes.get('code')} in {program.fiscal_year}."
            )
        if partner_ids is not None:
            await self.repository.set_partners(program.id, partner_ids)
        current = await self.repository.partner_ids([program.id])
        record = program_record(updated, agency, current.get(program.id, []))
        await self.feed.append(FeedEventType.program_updated, str(program.id), agency.region_code,
                               record.model_dump(mode="json"))
        return (await self._reads([(updated, agency)], principal))[0]

    async def _check_targets(
        self, agency: Agency, priority_areas: Sequence[str], partner_ids: Sequence[uuid.UUID], principal: Principal
    ) -> None:
        errors = [
            {"pointer": f"/priority_areas/{i}", "detail": f"lies outside the agency's region {agency.region_code}"}
            for i, code in enumerate(priority_areas) if not region_covers(agency.region_code, code)
        ]
        if partner_ids:
            known = await self.partners.visible_ids(partner_ids, principal)
            errors += [{"pointer": f"/partner_ids/{i}", "detail": "no partner with this id for this client"}
                       for i, partner_id in enumerate(partner_ids) if partner_id not in known]
        if errors:
            raise InvalidProgramError("The programme is not valid; see errors.", errors=errors)

    async def _reads(self, rows: Sequence[tuple[Program, Agency]], principal: Principal) -> list[ProgramRead]:
        ids = [program.id for program, _ in rows]
        partners = await self.repository.partner_ids(ids)
        totals = await self.repository.totals(ids, principal)
        return [
            ProgramRead(**program_record(program, agency, partners.get(program.id, [])).model_dump(),
                        **totals[program.id])
            for program, agency in rows
        ]
