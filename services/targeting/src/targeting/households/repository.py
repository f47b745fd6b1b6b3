"""All SQL on households and members. Region scoping lives here, in every query."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, String, Uuid, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from targeting.households.models import Household, Member


def in_region(column: Any, region: str) -> ColumnElement[bool]:
    """`column` lies in `region`'s subtree. Region columns use the C collation, so this is an index range."""
    return or_(column == region, column.startswith(region + ".", autoescape=True))


_LOOKUP_COLUMNS = (Household.id, Household.region_code, Household.status, Household.welfare_decile,
                   Household.extreme_poor)


class HouseholdRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, household_id: uuid.UUID, region: str, *, with_members: bool = False,
                  for_update: bool = False) -> Household | None:
        query: Select[tuple[Household]] = select(Household).where(
            Household.id == household_id, in_region(Household.region_code, region)
        )
        if with_members:
            query = query.options(selectinload(Household.members))
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def list(
        self, region: str, *, welfare_decile_max: int | None, extreme_poor: bool | None, status: str | None,
        after: uuid.UUID | None, limit: int,
    ) -> Sequence[Household]:
        query = select(Household).where(in_region(Household.region_code, region))
        if welfare_decile_max is not None:
            query = query.where(Household.welfare_decile <= welfare_decile_max)
        if extreme_poor is not None:
            query = query.where(Household.extreme_poor == extreme_poor)
        if status is not None:
            query = query.where(Household.status == status)
        if after is not None:
            query = query.where(Household.id > after)
        return (await self.session.scalars(query.order_by(Household.id).limit(limit))).all()

    async def add(self, household: Household, members: Sequence[Member]) -> None:
        self.session.add(household)
        self.session.add_all(members)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def active_family_card_holder(self, no_kk: str, *, excluding: uuid.UUID | None = None) -> Household | None:
        query = select(Household).where(Household.no_kk == no_kk, Household.status == "active")
        if excluding is not None:
            query = query.where(Household.id != excluding)
        return (await self.session.scalars(query.limit(1))).first()

    async def active_nik_holders(self, niks: Sequence[str], *, excluding_member: uuid.UUID | None = None
                                 ) -> dict[str, tuple[uuid.UUID, str]]:
        """NIK -> (household id, household region) for active members holding any of `niks`."""
        query = (
            select(Member.nik, Member.household_id, Household.region_code)
            .join(Household, Household.id == Member.household_id)
            .where(Member.nik.in_(list(niks)), Member.status == "active")
        )
        if excluding_member is not None:
            query = query.where(Member.id != excluding_member)
        return {nik: (hid, region) for nik, hid, region in (await self.session.execute(query)).all()}

    async def active_members(self, household_id: uuid.UUID) -> Sequence[Member]:
        return (await self.session.scalars(
            select(Member).where(Member.household_id == household_id, Member.status == "active")
            .order_by(Member.created_at, Member.id)
        )).all()

    async def member(self, household_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
        return (await self.session.scalars(
            select(Member).where(Member.id == member_id, Member.household_id == household_id)
        )).first()

    async def search_people(self, region: str, *, nik: str | None, name: str | None, birth_date: Any,
                            limit: int) -> Sequence[tuple[Member, Household]]:
        query = (
            select(Member, Household).join(Household, Household.id == Member.household_id)
            .where(in_region(Household.region_code, region))
        )
        if nik is not None:
            query = query.where(Member.nik == nik)
        else:
            pattern = " ".join((name or "").lower().split())
            query = query.where(
                Member.birth_date == birth_date,
                func.lower(func.regexp_replace(Member.name, r"\s+", " ", "g")).startswith(pattern, autoescape=True),
            )
        query = query.order_by(Member.status, Member.id).limit(limit)
        return [(m, h) for m, h in (await self.session.execute(query)).all()]

    async def lookup(self, region: str, *, household_ids: Sequence[uuid.UUID] = (), niks: Sequence[str] = ()
                     ) -> tuple[dict[uuid.UUID, Row[Any]], dict[str, Row[Any]]]:
        """Households by id and members by NIK inside `region`, as plain rows (`id`, `region_code`, `status`,
        `welfare_decile`, `extreme_poor`; NIK rows also `member_id`, `member_status`). A lookup resolves up to
        10,000 refs per call for enrolment: building an ORM entity per row was most of its time, and the ids
        travel as one array parameter instead of 10,000 bound values."""
        households: dict[uuid.UUID, Row[Any]] = {}
        people: dict[str, Row[Any]] = {}
        if household_ids:
            rows = await self.session.execute(select(*_LOOKUP_COLUMNS).where(
                Household.id == any_(bindparam("ids", list(household_ids), type_=ARRAY(Uuid))),
                in_region(Household.region_code, region)))
            households = {row.id: row for row in rows}
        if niks:
            # An active member wins over inactive ones with the same NIK.
            rows = await self.session.execute(
                select(*_LOOKUP_COLUMNS, Member.id.label("member_id"), Member.nik, Member.status.label("member_status"))
                .join(Household, Household.id == Member.household_id)
                .where(Member.nik == any_(bindparam("niks", list(niks), type_=ARRAY(String))),
                       in_region(Household.region_code, region))
                .order_by(Member.nik, Member.status, Member.updated_at.desc())
            )
            for row in rows:
                people.setdefault(row.nik, row)
        return households, people

    async def active_member_counts(self, household_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(Member.household_id, func.count()).where(
                Member.household_id.in_(list(household_ids)), Member.status == "active"
            ).group_by(Member.household_id)
        )
        return {hid: n for hid, n in rows.all()}


def by_ids_in_region(ids: Sequence[uuid.UUID], region: str) -> ColumnElement[bool]:
    return and_(Household.id.in_(list(ids)), in_region(Household.region_code, region))
