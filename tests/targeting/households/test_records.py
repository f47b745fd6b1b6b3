"""The feed's record shapes: the SQL twins used by set-wise writers equal the Python forms, key for key."""

import uuid
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from targeting.households.models import Household, Member
from targeting.households.records import household_record, household_record_sql, member_record, member_record_sql
from tests.targeting import factories as f


class TestSqlTwins:
    async def test_household_and_member_records_match(self, targeting, auth, connection):
        head = f.member("head")
        head["sex"] = "F"  # a data-quality warning, so data_quality is not empty
        created = await f.create(targeting, auth(), members=[head, f.member("child", born=date(2015, 6, 1))],
                                 id_dtks="IDBDT-001")
        household_id = uuid.UUID(created["id"])
        session = AsyncSession(bind=connection)
        household = (await session.scalars(select(Household).where(Household.id == household_id))).one()
        members = (await session.scalars(select(Member).where(Member.household_id == household_id))).all()

        sql_household = (await connection.execute(text(
            f"SELECT {household_record_sql(lambda c: f'h.{c}')} FROM targeting.household h WHERE h.id = :id"),  # noqa: S608
            {"id": household_id})).scalar_one()
        assert sql_household == household_record(household)
        for member in members:
            sql_member = (await connection.execute(text(
                f"SELECT {member_record_sql(lambda c: 'h.region_code' if c == 'region_code' else f'm.{c}')} "  # noqa: S608
                "FROM targeting.member m JOIN targeting.household h ON h.id = m.household_id WHERE m.id = :id"),
                {"id": member.id})).scalar_one()
            assert sql_member == member_record(member, household.region_code)
        assert any(m.data_quality for m in members)
