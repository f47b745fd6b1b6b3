"""All SQL of the DCI interface: condition trees compiled over households and members, always inside the
token's region subtree, and the dci_transaction log."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, extract, false, func, not_, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.dci.attributes import Attribute, Entity
from targeting.dci.models import DciTransaction
from targeting.dci.queries import AllOf, AnyOf, Compare, Condition, NotOf
from targeting.households.models import Household, Member
from targeting.households.repository import in_region

SEX = {"male": "M", "female": "F"}
PURGE_BATCH = 100
COMPARISONS = {"eq": operator.eq, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class Compiler:
    """Condition tree -> SQL over Household (and Member for member-level attributes)."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self, condition: Condition) -> ColumnElement[bool]:
        if isinstance(condition, AllOf):
            return and_(true(), *(self(p) for p in condition.parts))
        if isinstance(condition, AnyOf):
            return or_(false(), *(self(p) for p in condition.parts))
        if isinstance(condition, NotOf):
            return not_(self(condition.part))
        return self._compare(condition)

    def _compare(self, c: Compare) -> ColumnElement[bool]:
        attr, op, value = c.attribute, c.op, c.value
        if op in ("in", "nin"):
            either = or_(*(self._compare(Compare(attr, "eq", v)) for v in value)) \
                if attr.kind in ("region", "age") or attr.name == "member_nik" else self._column(attr).in_(
                    [self._stored(attr, v) for v in value])
            return either if op == "in" else not_(either)
        if op == "ne":
            return not_(self._compare(Compare(attr, "eq", value)))
        if attr.kind == "region":
            return in_region(Household.region_code, value)
        if attr.name == "member_nik":
            return exists().where(Member.household_id == Household.id, Member.nik == value, Member.status == "active")
        if attr.kind == "age":
            return self._age(op, value)
        return COMPARISONS[op](self._column(attr), self._stored(attr, value))

    def _age(self, op: str, years: int) -> ColumnElement[bool]:
        # Completed years at today (Asia/Jakarta): age >= n exactly when born on or before today n years ago.
        def at_least(n: int) -> ColumnElement[bool]:
            return Member.birth_date <= _years_before(self.today, n)

        return {"ge": at_least(years), "gt": at_least(years + 1), "lt": not_(at_least(years)),
                "le": not_(at_least(years + 1)), "eq": and_(at_least(years), not_(at_least(years + 1)))}[op]

    @staticmethod
    def _stored(attr: Attribute, value: Any) -> Any:
        return SEX[value] if attr.name == "sex" else value

    @staticmethod
    def _column(attr: Attribute) -> Any:
        if attr.level == "group":
            if attr.name == "group_size":
                return group_size()
            return {"registration_date": Household.created_at, "last_updated": Household.updated_at}.get(
                attr.name) or getattr(Household, attr.name.removeprefix("housing."))
        if attr.name == "yob":
            return extract("year", Member.birth_date)
        return {"registration_date": Member.created_at, "last_updated": Member.updated_at}.get(
            attr.name) or getattr(Member, attr.name)


def group_size() -> Any:
    return (select(func.count()).where(Member.household_id == Household.id, Member.status == "active")
            .correlate(Household).scalar_subquery())


def order_by(sort: Sequence[tuple[Attribute, bool]], entity: Entity) -> list[Any]:
    keys = []
    for attr, descending in sort:
        if attr.kind == "age":
            column, descending = Member.birth_date, not descending
        elif attr.kind == "region":
            column = Household.region_code
        else:
            column = Compiler._column(attr)
        keys.append((column.desc() if descending else column.asc()).nulls_last())
    keys.append(Household.id if entity == "group" else Member.id)
    return keys


class DciRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search(self, entity: Entity, condition: Condition, region: str, *, today: date,
                     sort: Sequence[tuple[Attribute, bool]], offset: int, limit: int, max_total: int | None
                     ) -> tuple[int, Sequence[Any]]:
        """(matching count, one page): households for groups, (member, household) pairs otherwise. With
        `max_total`, a count above it returns no rows."""
        where = and_(in_region(Household.region_code, region), Compiler(today)(condition))
        if entity == "group":
            counted, page = select(func.count()).select_from(Household), select(Household)
        else:
            counted = select(func.count()).select_from(Member).join(Household, Household.id == Member.household_id)
            page = select(Member, Household).join(Household, Household.id == Member.household_id)
        total = (await self.session.execute(counted.where(where))).scalar_one()
        if total == 0 or (max_total is not None and total > max_total):
            return total, []
        rows = await self.session.execute(page.where(where).order_by(*order_by(sort, entity))
                                          .offset(offset).limit(limit))
        return total, rows.scalars().all() if entity == "group" else [(m, h) for m, h in rows.all()]

    async def active_members(self, household_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Member]]:
        found: dict[uuid.UUID, list[Member]] = {hid: [] for hid in household_ids}
        rows = await self.session.scalars(
            select(Member).where(Member.household_id.in_(list(household_ids)), Member.status == "active")
            .order_by(Member.created_at, Member.id))
        for member in rows:
            found[member.household_id].append(member)
        return found

    # --- the transaction log ---------------------------------------------------------------------------

    async def claim(self, *, retention: timedelta, **values: Any) -> uuid.UUID | None:
        """Insert a transaction; None when this client already sent that message_id.

        First deletes a bounded batch of finished transactions older than `retention` (their requests and answers
        hold personal data; the audit trail keeps what was disclosed), so no job has to run: the table stays
        the size of `retention`'s traffic. A message_id older than that may be sent again."""
        expired = (select(DciTransaction.id)
                   .where(DciTransaction.created_at < func.now() - retention,
                          DciTransaction.status.in_(("succ", "rjct")),
                          DciTransaction.delivery_status.is_distinct_from("pending"))
                   .limit(PURGE_BATCH).with_for_update(skip_locked=True))
        await self.session.execute(delete(DciTransaction).where(DciTransaction.id.in_(expired)))
        inserted = await self.session.execute(
            insert(DciTransaction).values(**values).on_conflict_do_nothing(
                index_elements=[DciTransaction.client_id, DciTransaction.message_id]).returning(DciTransaction.id))
        return inserted.scalar_one_or_none()

    async def get(self, transaction: uuid.UUID) -> DciTransaction | None:
        return await self.session.get(DciTransaction, transaction, populate_existing=True)

    async def update(self, transaction: uuid.UUID, **values: Any) -> None:
        await self.session.execute(update(DciTransaction).where(DciTransaction.id == transaction)
                                   .values(**values, updated_at=func.now()))

    async def find(self, client_id: str, region: str, *, correlation_id: uuid.UUID | None = None,
                   transaction_id: str | None = None) -> Sequence[DciTransaction]:
        """A client's transactions whose region lies within `region` (a narrower token sees none of a wider
        one's answers), oldest first."""
        query = select(DciTransaction).where(DciTransaction.client_id == client_id,
                                             in_region(DciTransaction.region, region))
        if correlation_id is not None:
            query = query.where(DciTransaction.id == correlation_id)
        if transaction_id is not None:
            query = query.where(DciTransaction.transaction_id == transaction_id)
        return (await self.session.scalars(query.order_by(DciTransaction.created_at, DciTransaction.id)
                                           .limit(1000))).all()
