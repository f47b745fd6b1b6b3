from sqlalchemy import text

from tests.programs.factories import agency_program
from tests.support import assert_problem


async def _spend(programs, headers, program_id, items):
    return await programs.post(f"/api/v1/programs/{program_id}/spending", json=items, headers=headers)


class TestRecordSpending:
    async def test_records_months_and_replaces_a_month_recorded_again(self, programs, auth, connection):
        program = await agency_program(programs, auth())
        first = await _spend(programs, auth(), program["id"], [{"period": "2022-03", "amount_idr": 100},
                                                               {"period": "2022-04", "amount_idr": 200}])
        assert first.status_code == 200, first.text
        again = await _spend(programs, auth(), program["id"], [{"period": "2022-04", "amount_idr": 250}])
        assert [(i["period"], i["amount_idr"]) for i in again.json()["items"]] == [("2022-03", 100), ("2022-04", 250)]
        assert again.json()["spent_idr"] == 350
        assert (await programs.get(f"/api/v1/programs/{program['id']}", headers=auth())).json()["spent_idr"] == 350
        read = await programs.get(f"/api/v1/programs/{program['id']}/spending", headers=auth("18.71"))
        assert read.json() == again.json()
        recorded = await connection.execute(text(
            "SELECT data->>'period', (data->>'amount_idr')::bigint FROM programs.feed_entry "
            "WHERE type = 'spending.recorded' AND data->>'program_id' = :p ORDER BY seq"), {"p": program["id"]})
        assert recorded.all() == [("2022-03", 100), ("2022-04", 200), ("2022-04", 250)]

    async def test_recording_the_same_amount_again_emits_nothing(self, programs, auth, connection):
        program = await agency_program(programs, auth())
        for _ in range(2):
            await _spend(programs, auth(), program["id"], [{"period": "2022-05", "amount_idr": 100}])
        count = await connection.scalar(text(
            "SELECT count(*) FROM programs.feed_entry WHERE type = 'spending.recorded' AND data->>'program_id' = :p"),
            {"p": program["id"]})
        assert count == 1

    async def test_months_outside_the_fiscal_year_or_repeated_are_422(self, programs, auth):
        program = await agency_program(programs, auth())
        response = await _spend(programs, auth(), program["id"], [
            {"period": "2022-01", "amount_idr": 1}, {"period": "2023-01", "amount_idr": 1},
            {"period": "2022-01", "amount_idr": 2}])
        body = assert_problem(response, 422, "invalid-spending")
        assert [e["pointer"] for e in body["errors"]] == ["/1/period", "/2/period"]
        assert (await programs.get(f"/api/v1/programs/{program['id']}/spending", headers=auth())).json() == {
            "items": [], "spent_idr": 0}

    async def test_malformed_months_and_negative_amounts_are_422(self, programs, auth):
        program = await agency_program(programs, auth())
        response = await _spend(programs, auth(), program["id"], [
            {"period": "2022-13", "amount_idr": 1}, {"period": "2022-02", "amount_idr": -5}])
        body = assert_problem(response, 422, "validation")
        assert [e["pointer"] for e in body["errors"]] == ["/0/period", "/1/amount_idr"]

    async def test_a_district_cannot_record_spending_of_a_provincial_programme_but_reads_it(self, programs, auth):
        program = await agency_program(programs, auth("18"), "18")
        await _spend(programs, auth("18"), program["id"], [{"period": "2022-03", "amount_idr": 100}])
        refused = await _spend(programs, auth("18.71"), program["id"], [{"period": "2022-03", "amount_idr": 1}])
        assert_problem(refused, 403, "program-read-only")
        read = await programs.get(f"/api/v1/programs/{program['id']}/spending", headers=auth("18.71"))
        assert read.json()["spent_idr"] == 100
