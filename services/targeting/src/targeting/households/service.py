"""Registry use cases: every rule for creating and changing households and members, in one place that
the API, imports and approved change requests all go through."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from kit.auth import Principal
from kit.concurrency import check_version
from kit.ids import uuid7
from kit.problems import PreconditionFailedError
from targeting.audit.repository import AuditRepository
from targeting.feed.repository import FeedRepository, change
from targeting.households.codes import Relationship, Status
from targeting.households.errors import (
    FamilyCardTakenError,
    HouseholdInactiveError,
    HouseholdNotFoundError,
    MemberNotFoundError,
    NikTakenError,
    RegionOutsideScopeError,
    RegistryValidationError,
)
from targeting.households.identifiers import IdentifierError, check_nik, check_no_kk, nik_findings
from targeting.households.models import Household, Member
from targeting.households.records import household_record, member_record
from targeting.households.repository import HouseholdRepository
from targeting.households.schemas import HouseholdCreate, HouseholdUpdate, MemberCreate, MemberUpdate
from targeting.regions.catalog import RegionCatalog


class HouseholdService:
    def __init__(self, session: AsyncSession, principal: Principal, catalog: RegionCatalog,
                 *, change_request_id: uuid.UUID | None = None) -> None:
        self.session = session
        self.principal = principal
        self.catalog = catalog
        self.households = HouseholdRepository(session)
        self.feed = FeedRepository(session)
        self.audit = AuditRepository(session)
        self.change_request_id = change_request_id

    # --- reads -------------------------------------------------------------------------------------

    async def read(self, household_id: uuid.UUID) -> Household:
        household = await self.households.get(household_id, self.principal.region, with_members=True)
        if household is None:
            raise HouseholdNotFoundError(f"No household {household_id}.")
        await self.audit.record(self.principal, "household.read", "household", [household.id])
        return household

    async def list(self, *, region: str | None, welfare_decile_max: int | None, extreme_poor: bool | None,
                   status: str | None, after: uuid.UUID | None, limit: int) -> Sequence[Household]:
        rows = await self.households.list(
            self.principal.narrow(region), welfare_decile_max=welfare_decile_max, extreme_poor=extreme_poor,
            status=status, after=after, limit=limit,
        )
        await self.audit.record(self.principal, "household.list", "household", [h.id for h in rows])
        return rows

    # --- writes ------------------------------------------------------------------------------------

    async def create(self, data: HouseholdCreate, *, source: str = "api") -> Household:
        await self._check_region(data.region_code, "/region_code")
        prefixes = await self.catalog.regency_prefixes(self.session)
        self._check_prefix(check_no_kk, data.no_kk, prefixes, "/no_kk")
        for index, member in enumerate(data.members):
            self._check_prefix(check_nik, member.nik, prefixes, f"/members/{index}/nik")
        if await self.households.active_family_card_holder(data.no_kk) is not None:
            raise FamilyCardTakenError("This No. KK already belongs to an active household.",
                                       errors=[{"pointer": "/no_kk", "detail": "already registered"}])
        await self._check_niks_free([m.nik for m in data.members], "/members/{index}/nik")

        now = datetime.now(UTC)
        household = Household(
            id=uuid7(), no_kk=data.no_kk, id_dtks=data.id_dtks, region_code=data.region_code,
            address=data.address, welfare_decile=data.welfare_decile, extreme_poor=data.extreme_poor,
            status=Status.active, source=source, created_at=now, updated_at=now,
            **data.housing.model_dump(mode="json"),
        )
        members = [self._new_member(household.id, m, now) for m in data.members]
        await self._flush_guarded(lambda: self.households.add(household, members))
        await self.audit.record(self.principal, "household.create", "household", [household.id])
        await self.feed.append(
            [self._change("household.created", household)] + [self._member_change("member.created", m, household)
                                                             for m in members]
        )
        set_committed_value(household, "members", members)
        return household

    async def update(self, household_id: uuid.UUID, expected_version: int, patch: HouseholdUpdate) -> Household:
        household = await self._writable(household_id)
        check_version(household.version, expected_version)
        fields = patch.model_dump(exclude_unset=True, mode="json")
        housing = fields.pop("housing", None) or {}
        if "region_code" in fields:
            if fields["region_code"] is None:
                raise RegistryValidationError("region_code cannot be cleared.",
                                              errors=[{"pointer": "/region_code", "detail": "required"}])
            await self._check_region(fields["region_code"], "/region_code")
        if "no_kk" in fields:
            if fields["no_kk"] is None:
                raise RegistryValidationError("no_kk cannot be cleared.",
                                              errors=[{"pointer": "/no_kk", "detail": "required"}])
            self._check_prefix(check_no_kk, fields["no_kk"], await self.catalog.regency_prefixes(self.session),
                               "/no_kk")
            if household.status == Status.active and await self.households.active_family_card_holder(
                    fields["no_kk"], excluding=household.id) is not None:
                raise FamilyCardTakenError("This No. KK already belongs to another active household.",
                                           errors=[{"pointer": "/no_kk", "detail": "already registered"}])
        if "extreme_poor" in fields and fields["extreme_poor"] is None:
            fields.pop("extreme_poor")
        changes = {k: v for k, v in {**fields, **housing}.items() if getattr(household, k) != v}
        if not changes:
            return await self._with_members(household)
        for key, value in changes.items():
            setattr(household, key, value)
        household.updated_at = datetime.now(UTC)
        await self._flush_guarded(self.households.flush)
        await self.audit.record(self.principal, "household.update", "household", [household.id])
        entries = [self._change("household.updated", household)]
        if "region_code" in changes:
            # Members are mirrored with their family's region: a move re-announces them.
            entries += [self._member_change("member.updated", m, household)
                        for m in await self.households.active_members(household.id)]
        await self.feed.append(entries)
        return await self._with_members(household)

    async def deactivate(self, household_id: uuid.UUID, reason: str, expected_version: int | None) -> Household:
        household = await self._writable(household_id)
        if expected_version is not None:
            check_version(household.version, expected_version)
        now = datetime.now(UTC)
        household.status, household.inactive_reason, household.updated_at = Status.inactive, reason, now
        members = list(await self.households.active_members(household.id))
        for member in members:
            # A family that leaves the registry takes its members' NIKs with it, so they may register again.
            member.status, member.inactive_reason, member.updated_at = Status.inactive, reason, now
        await self._flush_guarded(self.households.flush)
        await self.audit.record(self.principal, "household.deactivate", "household", [household.id])
        await self.feed.append([self._change("household.deactivated", household)]
                               + [self._member_change("member.updated", m, household) for m in members])
        return await self._with_members(household)

    async def add_member(self, household_id: uuid.UUID, data: MemberCreate) -> Member:
        household = await self._writable(household_id)
        if household.status != Status.active:
            raise HouseholdInactiveError("Members can be added to active households only.")
        self._check_prefix(check_nik, data.nik, await self.catalog.regency_prefixes(self.session), "/nik")
        await self._check_niks_free([data.nik], "/nik")
        if data.relationship == Relationship.head:
            await self._check_single_head(household.id, excluding=None)
        member = self._new_member(household.id, data, datetime.now(UTC))
        self.session.add(member)
        await self._flush_guarded(self.households.flush)
        await self.audit.record(self.principal, "member.create", "member", [member.id])
        await self.feed.append([self._member_change("member.created", member, household)])
        return member

    async def update_member(self, household_id: uuid.UUID, member_id: uuid.UUID, expected_version: int,
                            patch: MemberUpdate) -> Member:
        household = await self._writable(household_id)
        member = await self.households.member(household.id, member_id)
        if member is None:
            raise MemberNotFoundError(f"No member {member_id} in household {household_id}.")
        check_version(member.version, expected_version)
        fields = {k: v for k, v in patch.model_dump(exclude_unset=True, mode="json").items()}
        for required in ("nik", "name", "sex", "birth_date", "relationship", "status"):
            if required in fields and fields[required] is None:
                raise RegistryValidationError(f"{required} cannot be cleared.",
                                              errors=[{"pointer": f"/{required}", "detail": "required"}])
        if fields.get("status") == Status.active:
            fields["inactive_reason"] = None
            if household.status != Status.active:
                raise HouseholdInactiveError("A member of an inactive household cannot be reactivated.")
        becomes_active = fields.get("status", member.status) == Status.active
        if "nik" in fields:
            self._check_prefix(check_nik, fields["nik"], await self.catalog.regency_prefixes(self.session), "/nik")
        if becomes_active and ("nik" in fields or member.status != Status.active):
            await self._check_niks_free([fields.get("nik", member.nik)], "/nik", excluding_member=member.id)
        if becomes_active and fields.get("relationship", member.relationship) == Relationship.head and (
                member.relationship != Relationship.head or member.status != Status.active):
            await self._check_single_head(household.id, excluding=member.id)
        if "birth_date" in fields:
            fields["birth_date"] = datetime.fromisoformat(fields["birth_date"]).date()
        changes = {k: v for k, v in fields.items() if getattr(member, k) != v}
        if not changes:
            return member
        for key, value in changes.items():
            setattr(member, key, value)
        member.data_quality = nik_findings(member.nik, member.sex, member.birth_date)
        member.updated_at = datetime.now(UTC)
        await self._flush_guarded(self.households.flush)
        await self.audit.record(self.principal, "member.update", "member", [member.id])
        await self.feed.append([self._member_change("member.updated", member, household)])
        return member

    # --- rules -------------------------------------------------------------------------------------

    async def _writable(self, household_id: uuid.UUID) -> Household:
        household = await self.households.get(household_id, self.principal.region, for_update=True)
        if household is None:
            raise HouseholdNotFoundError(f"No household {household_id}.")
        return household

    async def _with_members(self, household: Household) -> Household:
        await self.session.refresh(household, attribute_names=["members"])
        return household

    async def _check_region(self, code: str, pointer: str) -> None:
        if not self.principal.covers(code):
            raise RegionOutsideScopeError(
                f"Region {code} lies outside this client's region {self.principal.region}.",
                errors=[{"pointer": pointer, "detail": "outside the client's region"}],
            )
        if code not in await self.catalog.current_villages(self.session, [code]):
            raise RegistryValidationError("region_code must be an existing village (desa/kelurahan).",
                                          errors=[{"pointer": pointer, "detail": "unknown village",
                                                   "code": "region_unknown"}])

    @staticmethod
    def _check_prefix(check: Any, value: str, prefixes: frozenset[str], pointer: str) -> None:
        try:
            check(value, prefixes)
        except IdentifierError as exc:
            raise RegistryValidationError(exc.detail, errors=[{"pointer": pointer, "detail": exc.detail,
                                                                "code": exc.code}]) from None

    async def _check_niks_free(self, niks: list[str], pointer: str, *, excluding_member: uuid.UUID | None = None
                               ) -> None:
        holders = await self.households.active_nik_holders(niks, excluding_member=excluding_member)
        if holders:
            # Say where only when the holder lies in the caller's region: never reveal a household outside it.
            errors = [{"pointer": pointer.format(index=i), "detail": "already registered to an active member"}
                      for i, nik in enumerate(niks) if nik in holders]
            raise NikTakenError("A NIK in this request already belongs to an active member of another household.",
                                errors=errors)

    async def _check_single_head(self, household_id: uuid.UUID, *, excluding: uuid.UUID | None) -> None:
        heads = [m for m in await self.households.active_members(household_id)
                 if m.relationship == Relationship.head and m.id != excluding]
        if heads:
            raise RegistryValidationError("A family has exactly one head; this one has a head already.",
                                          errors=[{"pointer": "/relationship", "detail": "second head",
                                                   "code": "head_count"}])

    async def _flush_guarded(self, flush: Any) -> None:
        """Constraint races the checks above cannot see (a concurrent writer) become the same answers."""
        try:
            await flush()
        except IntegrityError as exc:
            message = str(exc.orig)
            if "uq_member_nik_active" in message:
                raise NikTakenError("A NIK in this request already belongs to an active member.") from None
            if "uq_household_no_kk_active" in message:
                raise FamilyCardTakenError("This No. KK already belongs to an active household.") from None
            raise
        except StaleDataError:
            raise PreconditionFailedError("The resource changed concurrently; re-read and retry.") from None

    def _new_member(self, household_id: uuid.UUID, data: MemberCreate, now: datetime) -> Member:
        return Member(
            id=uuid7(), household_id=household_id, status=Status.active, created_at=now, updated_at=now,
            data_quality=nik_findings(data.nik, data.sex.value, data.birth_date), **data.model_dump(mode="python"),
        )

    def _change(self, type_: str, household: Household) -> dict[str, Any]:
        return change(type_, entity_id=household.id, household_id=household.id, region_code=household.region_code,
                      data=household_record(household), client_id=self.principal.client_id,
                      change_request_id=self.change_request_id)

    def _member_change(self, type_: str, member: Member, household: Household) -> dict[str, Any]:
        return change(type_, entity_id=member.id, household_id=household.id, region_code=household.region_code,
                      data=member_record(member, household.region_code), client_id=self.principal.client_id,
                      change_request_id=self.change_request_id)

