from sqlalchemy import text

from tests.programs.factories import agency_program, enrol, ids
from tests.support import assert_problem

KOTA, LAMSEL = "18.71.01.1003", "18.01.04.2001"


def _delivery(household, **overrides):
    return {"household_id": str(household.id), "delivered_on": "2022-03-15", "value_idr": 300_000, "quantity": 1,
            "unit": "paket"} | overrides


async def _deliver(programs, headers, program_id, items):
    return await programs.post(f"/api/v1/programs/{program_id}/deliveries", json=items, headers=headers)


async def _count(connection, program_id):
    return await connection.scalar(text("SELECT count(*) FROM programs.delivery WHERE program_id = :p"),
                                   {"p": program_id})


class TestRecordDeliveries:
    async def test_records_deliveries_to_enrolled_households_and_totals_them(self, programs, auth, registry):
        a, b = await registry.add(KOTA), await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(a, b))
        response = await _deliver(programs, auth(), program["id"], [
            _delivery(a), _delivery(a, delivered_on="2022-06-15"), _delivery(b, value_idr=150_000, quantity=2.5,
                                                                             unit="kg"),
        ])
        assert response.status_code == 201, response.text
        assert response.json() == {"created": 3, "value_idr": 750_000}
        listed = (await programs.get(f"/api/v1/programs/{program['id']}/deliveries", headers=auth())).json()
        assert [(d["household_id"], d["delivered_on"], d["region_code"]) for d in listed["items"]] == [
            (str(a.id), "2022-03-15", KOTA), (str(a.id), "2022-06-15", KOTA), (str(b.id), "2022-03-15", KOTA)]
        assert listed["items"][2]["quantity"] == 2.5 and listed["items"][2]["unit"] == "kg"
        totals = (await programs.get(f"/api/v1/programs/{program['id']}", headers=auth())).json()
        assert (totals["delivered_value_idr"], totals["reached"], totals["enrolled"]) == (750_000, 2, 2)

    async def test_dates_outside_the_fiscal_year_are_422_with_pointer(self, programs, auth, registry, connection):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        response = await _deliver(programs, auth(), program["id"], [
            _delivery(household, delivered_on="2022-12-31"), _delivery(household, delivered_on="2023-01-01"),
            _delivery(household, delivered_on="2021-12-31"),
        ])
        body = assert_problem(response, 422, "invalid-deliveries")
        assert [e["pointer"] for e in body["errors"]] == ["/1/delivered_on", "/2/delivered_on"]
        assert await _count(connection, program["id"]) == 0

    async def test_households_not_enrolled_are_422_and_nothing_is_saved(self, programs, auth, registry, connection):
        enrolled, stranger = await registry.add(KOTA), await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(enrolled))
        response = await _deliver(programs, auth(), program["id"], [_delivery(enrolled), _delivery(stranger)])
        body = assert_problem(response, 422, "invalid-deliveries")
        assert body["errors"] == [{"pointer": "/1/household_id", "detail": "is not enrolled in this programme"}]
        assert await _count(connection, program["id"]) == 0

    async def test_negative_amounts_are_422_with_pointer(self, programs, auth, registry, connection):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        response = await _deliver(programs, auth(), program["id"], [
            _delivery(household), _delivery(household, value_idr=-1), _delivery(household, quantity=-0.5)])
        body = assert_problem(response, 422, "validation")
        assert [e["pointer"] for e in body["errors"]] == ["/1/value_idr", "/2/quantity"]
        assert await _count(connection, program["id"]) == 0

    async def test_unknown_fields_and_empty_batches_are_422(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        extra = await _deliver(programs, auth(), program["id"], [_delivery(household, note="x")])
        assert assert_problem(extra, 422, "validation")["errors"][0]["pointer"] == "/0/note"
        assert_problem(await _deliver(programs, auth(), program["id"], []), 422, "validation")

    async def test_person_programmes_check_the_named_member(self, programs, auth, registry):
        family = await registry.add(KOTA, members=2)
        program = await agency_program(programs, auth(), unit="person")
        await enrol(programs, auth(), program["id"], niks=[family.nik(0)])
        enrolled, other = family.members[family.nik(0)], family.members[family.nik(1)]
        response = await _deliver(programs, auth(), program["id"], [
            _delivery(family, member_id=str(enrolled)), _delivery(family, member_id=str(other)), _delivery(family)])
        body = assert_problem(response, 422, "invalid-deliveries")
        assert [e["pointer"] for e in body["errors"]] == ["/1/member_id"]

    async def test_a_district_cannot_record_for_provincial_or_other_districts_programmes(
            self, programs, auth, registry):
        household = await registry.add(KOTA)
        provincial = await agency_program(programs, auth("18"), "18")
        other = await agency_program(programs, auth("18.01"), "18.01")
        await enrol(programs, auth("18"), provincial["id"], household_ids=ids(household))
        above = await _deliver(programs, auth("18.71"), provincial["id"], [_delivery(household)])
        outside = await _deliver(programs, auth("18.71"), other["id"], [_delivery(household)])
        assert_problem(above, 403, "program-read-only")
        assert_problem(outside, 404, "program-not-found")

    async def test_a_district_lists_only_deliveries_to_its_households(self, programs, auth, registry):
        kota, lamsel = await registry.add(KOTA), await registry.add(LAMSEL)
        program = await agency_program(programs, auth("18"), "18")
        await enrol(programs, auth("18"), program["id"], household_ids=ids(kota, lamsel))
        await _deliver(programs, auth("18"), program["id"], [_delivery(kota), _delivery(lamsel, value_idr=1)])
        district = auth("18.71", scopes="programs:read")
        listed = (await programs.get(f"/api/v1/programs/{program['id']}/deliveries", headers=district)).json()
        assert [d["household_id"] for d in listed["items"]] == ids(kota)
        totals = (await programs.get(f"/api/v1/programs/{program['id']}", headers=district)).json()
        assert (totals["delivered_value_idr"], totals["reached"]) == (300_000, 1)

    async def test_pages_with_a_keyset_cursor(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        await _deliver(programs, auth(), program["id"], [_delivery(household, value_idr=i) for i in range(5)])
        values, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await programs.get(f"/api/v1/programs/{program['id']}/deliveries", params=params,
                                       headers=auth())).json()
            values += [d["value_idr"] for d in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert values == [0, 1, 2, 3, 4]

    async def test_a_closed_programme_takes_no_deliveries(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        await programs.patch(f"/api/v1/programs/{program['id']}", json={"status": "closed"},
                             headers=auth() | {"If-Match": '"1"'})
        assert_problem(await _deliver(programs, auth(), program["id"], [_delivery(household)]), 409, "program-closed")

    async def test_a_replayed_batch_is_recorded_once(self, programs, auth, registry, connection):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        headers = auth() | {"Idempotency-Key": "realisasi-maret"}
        first = await _deliver(programs, headers, program["id"], [_delivery(household)])
        again = await _deliver(programs, headers, program["id"], [_delivery(household)])
        assert first.status_code == again.status_code == 201 and again.json() == first.json()
        assert await _count(connection, program["id"]) == 1
