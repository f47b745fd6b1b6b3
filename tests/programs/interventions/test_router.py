from tests.programs.factories import agency_program, enrol, ids


async def _interventions(programs, headers, household_id):
    response = await programs.get("/api/v1/interventions", params={"household_id": household_id}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestInterventions:
    async def test_lists_a_households_enrolments_and_deliveries_across_programmes(self, programs, auth, registry):
        household, neighbour = await registry.add("18.71.01.1003"), await registry.add("18.71.01.1003")
        social = await agency_program(programs, auth("18"), "18", code="BANSOS")
        health = await agency_program(programs, auth("18.71"), "18.71", code="PBI", sector="health",
                                      strategy="reduce_burden")
        for program in (social, health):
            await enrol(programs, auth(), program["id"], household_ids=ids(household, neighbour))
        await programs.post(f"/api/v1/programs/{social['id']}/deliveries", json=[
            {"household_id": str(household.id), "delivered_on": "2022-02-01", "value_idr": 200_000, "quantity": 1,
             "unit": "paket"}], headers=auth())
        body = await _interventions(programs, auth("18.71"), str(household.id))
        assert body["household_id"] == str(household.id)
        assert sorted((e["program_code"], e["sector"]) for e in body["enrollments"]) == [
            ("BANSOS", "social_assistance"), ("PBI", "health")]
        assert [(d["program_id"], d["value_idr"], d["delivered_on"]) for d in body["deliveries"]] == [
            (social["id"], 200_000, "2022-02-01")]

    async def test_a_household_outside_the_token_region_looks_like_an_untouched_one(self, programs, auth, registry):
        household = await registry.add("18.71.01.1003")
        program = await agency_program(programs, auth("18"), "18")
        await enrol(programs, auth("18"), program["id"], household_ids=ids(household))
        untouched_household = await registry.add("18.01.04.2001")
        outside = await _interventions(programs, auth("18.01"), str(household.id))
        untouched = await _interventions(programs, auth("18.01"), str(untouched_household.id))
        assert outside["enrollments"] == outside["deliveries"] == []
        assert {k: v for k, v in outside.items() if k != "household_id"} == \
            {k: v for k, v in untouched.items() if k != "household_id"}

    async def test_needs_a_household_id(self, programs, auth):
        response = await programs.get("/api/v1/interventions", headers=auth())
        assert response.status_code == 422
