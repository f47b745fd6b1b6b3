"""A district system's day through the gateway: agency, programme, enrolment checked against the real registry,
a delivery, and the feed entries that let the reporting service mirror it all."""

from tests.programs.factories import agency_body, program_body


async def test_a_district_runs_a_programme_end_to_end_through_the_gateway(gateway, auth, registry):
    household = await registry.add("18.71.01.1003")
    headers = auth("18.71", client_id="kab-bandar-lampung")
    after = (await gateway.get("/api/v1/feeds/programs", params={"after": 0, "limit": 1000}, headers=headers)).json()

    agency = await gateway.post("/api/v1/agencies", json=agency_body("18.71"), headers=headers)
    assert agency.status_code == 201, agency.text
    program = await gateway.post("/api/v1/programs", json=program_body(agency.json()["id"]), headers=headers)
    program_id = program.json()["id"]
    enrolled = await gateway.post(f"/api/v1/programs/{program_id}/enrollments",
                                  json={"household_ids": [str(household.id)]}, headers=headers)
    assert enrolled.json() == {"enrolled": 1, "already_enrolled": 0, "rejected": [], "off_target": 0}
    delivered = await gateway.post(f"/api/v1/programs/{program_id}/deliveries", json=[{
        "household_id": str(household.id), "delivered_on": "2022-08-17", "value_idr": 600_000, "quantity": 1,
        "unit": "paket"}], headers=headers)
    assert delivered.status_code == 201, delivered.text

    read = (await gateway.get(f"/api/v1/programs/{program_id}", headers=headers)).json()
    assert (read["enrolled"], read["reached"], read["delivered_value_idr"]) == (1, 1, 600_000)
    interventions = (await gateway.get("/api/v1/interventions", params={"household_id": str(household.id)},
                                       headers=headers)).json()
    assert [d["value_idr"] for d in interventions["deliveries"]] == [600_000]
    feed = (await gateway.get("/api/v1/feeds/programs", params={"after": after["next_after"]}, headers=headers)).json()
    assert [i["type"] for i in feed["items"]] == ["agency.created", "program.created", "enrollment.created",
                                                  "delivery.created"]
