import pytest

from tests.programs.factories import agency_program, create_agency, create_program, program_body
from tests.support import assert_problem

FIELDS = {"id", "code", "name", "agency_id", "agency_level", "region_code", "fiscal_year", "strategy", "cluster",
          "sector", "unit", "benefit", "budget_idr", "funding_source", "target_beneficiaries", "criteria",
          "priority_areas", "partner_ids", "status", "version", "created_at", "updated_at", "spent_idr",
          "delivered_value_idr", "enrolled", "reached"}


class TestCreateProgram:
    async def test_registers_a_programme_with_every_field(self, programs, auth):
        agency = await create_agency(programs, auth("18.71"))
        criteria = {"all": [{"field": "welfare_decile", "op": "lte", "value": 4}]}
        response = await programs.post("/api/v1/programs", json=program_body(
            agency["id"], criteria=criteria, priority_areas=["18.71.01", "18.71.02"]), headers=auth("18.71"))
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == FIELDS
        assert body["criteria"] == criteria and body["priority_areas"] == ["18.71.01", "18.71.02"]
        assert body["region_code"] == "18.71" and body["agency_level"] == "regency"
        assert body["status"] == "planned" and body["version"] == 1 and body["partner_ids"] == []
        assert (body["spent_idr"], body["delivered_value_idr"], body["enrolled"], body["reached"]) == (0, 0, 0, 0)
        assert response.headers["location"] == f"/api/v1/programs/{body['id']}"
        assert response.headers["etag"] == '"1"'

    @pytest.mark.parametrize(("field", "value"), [
        ("cluster", 5), ("strategy", "give_money"), ("sector", "tourism"), ("unit", "village"),
        ("benefit", "voucher"), ("funding_source", "loan"), ("budget_idr", -1), ("status", "draft"),
        ("fiscal_year", 1999), ("priority_areas", ["18-71"]),
    ])
    async def test_out_of_list_values_are_422_with_pointer(self, programs, auth, field, value):
        agency = await create_agency(programs, auth())
        response = await programs.post("/api/v1/programs", json=program_body(agency["id"], **{field: value}),
                                       headers=auth())
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["pointer"].startswith(f"/{field}")

    @pytest.mark.parametrize("criteria", [
        {"welfare_decile": 4}, {"all": []}, {"field": "welfare_decile", "op": "approx", "value": 4},
        {"field": "welfare_decile", "op": "between", "value": [1]}, {"not": {"any": [{"field": "x"}]}},
    ])
    async def test_a_malformed_criteria_tree_is_422(self, programs, auth, criteria):
        agency = await create_agency(programs, auth())
        response = await programs.post("/api/v1/programs", json=program_body(agency["id"], criteria=criteria),
                                       headers=auth())
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["pointer"] == "/criteria"

    async def test_unknown_fields_are_422(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.post("/api/v1/programs", json=program_body(agency["id"], pagu=1), headers=auth())
        assert assert_problem(response, 422, "validation")["errors"][0]["pointer"] == "/pagu"

    async def test_an_agency_the_client_cannot_see_is_422_unknown_agency(self, programs, auth):
        other = await create_agency(programs, auth("18.01"), "18.01")
        response = await programs.post("/api/v1/programs", json=program_body(other["id"]), headers=auth("18.71"))
        body = assert_problem(response, 422, "unknown-agency")
        assert body["errors"][0]["pointer"] == "/agency_id"

    async def test_a_district_cannot_register_a_programme_of_a_provincial_agency(self, programs, auth):
        province = await create_agency(programs, auth("18"), "18")
        response = await programs.post("/api/v1/programs", json=program_body(province["id"]), headers=auth("18.71"))
        assert_problem(response, 403, "program-read-only")

    async def test_priority_areas_outside_the_agency_region_are_422(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.post("/api/v1/programs", json=program_body(
            agency["id"], priority_areas=["18.71.01", "18.01.01"]), headers=auth())
        body = assert_problem(response, 422, "invalid-program")
        assert body["errors"] == [{"pointer": "/priority_areas/1",
                                   "detail": "lies outside the agency's region 18.71"}]

    async def test_a_code_is_unique_per_agency_and_year(self, programs, auth):
        agency = await create_agency(programs, auth())
        await create_program(programs, auth(), agency["id"], code="PKH-D")
        assert (await programs.post("/api/v1/programs", json=program_body(agency["id"], code="PKH-D", fiscal_year=2023),
                                    headers=auth())).status_code == 201
        response = await programs.post("/api/v1/programs", json=program_body(agency["id"], code="PKH-D"),
                                       headers=auth())
        assert_problem(response, 409, "program-code-taken")

    async def test_the_read_scope_alone_cannot_register(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.post("/api/v1/programs", json=program_body(agency["id"]),
                                       headers=auth(scopes="programs:read"))
        assert_problem(response, 403, "forbidden")


class TestReadPrograms:
    async def test_a_district_reads_provincial_programmes_but_not_another_districts(self, programs, auth):
        provincial = await agency_program(programs, auth("18"), "18", funding_source="apbd_province")
        other = await agency_program(programs, auth("18.01"), "18.01")
        reader = auth("18.71", scopes="programs:read")
        read = await programs.get(f"/api/v1/programs/{provincial['id']}", headers=reader)
        assert read.status_code == 200 and read.headers["etag"] == '"1"'
        outside = await programs.get(f"/api/v1/programs/{other['id']}", headers=reader)
        unknown = await programs.get("/api/v1/programs/00000000-0000-0000-0000-000000000000", headers=reader)
        assert_problem(outside, 404, "program-not-found")
        assert_problem(unknown, 404, "program-not-found")
        assert outside.json()["title"] == unknown.json()["title"]

    async def test_lists_visible_programmes_with_filters_and_keyset_pages(self, programs, auth):
        agency = await create_agency(programs, auth("18.71"))
        mine = [await create_program(programs, auth("18.71"), agency["id"], code=f"P{i}", sector="health")
                for i in range(3)]
        await create_program(programs, auth("18.71"), agency["id"], code="EDU", sector="education")
        other = await agency_program(programs, auth("18.01"), "18.01", sector="health")
        seen, cursor = [], None
        while True:
            params = {"limit": 2, "sector": "health", "fiscal_year": 2022} | ({"cursor": cursor} if cursor else {})
            response = await programs.get("/api/v1/programs", params=params, headers=auth("18.71"))
            assert response.status_code == 200, response.text
            seen += [p["id"] for p in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
        assert [p["id"] for p in mine] == [s for s in seen if s in {p["id"] for p in mine}]
        assert other["id"] not in seen and len(seen) == len(set(seen))
        by_agency = await programs.get("/api/v1/programs", params={"agency_id": agency["id"]}, headers=auth("18.71"))
        assert len(by_agency.json()["items"]) == 4


class TestUpdateProgram:
    async def test_changes_fields_and_bumps_the_version(self, programs, auth):
        program = await agency_program(programs, auth(), criteria={"field": "extreme_poor", "op": "eq", "value": True})
        response = await programs.patch(f"/api/v1/programs/{program['id']}", json={
            "status": "active", "budget_idr": 2_000_000_000, "criteria": None, "priority_areas": ["18.71.01"],
        }, headers=auth() | {"If-Match": '"1"'})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "active" and body["budget_idr"] == 2_000_000_000 and body["criteria"] is None
        assert body["priority_areas"] == ["18.71.01"] and body["version"] == 2
        assert response.headers["etag"] == '"2"'

    async def test_without_if_match_is_428_and_stale_is_412(self, programs, auth):
        program = await agency_program(programs, auth())
        url = f"/api/v1/programs/{program['id']}"
        assert_problem(await programs.patch(url, json={"status": "active"}, headers=auth()), 428)
        await programs.patch(url, json={"status": "active"}, headers=auth() | {"If-Match": '"1"'})
        stale = await programs.patch(url, json={"status": "closed"}, headers=auth() | {"If-Match": '"1"'})
        assert_problem(stale, 412, "precondition-failed")
        assert (await programs.get(url, headers=auth())).json()["status"] == "active"

    @pytest.mark.parametrize("body", [{"agency_id": "00000000-0000-0000-0000-000000000000"}, {"fiscal_year": 2023},
                                      {"unit": "person"}, {"name": None}])
    async def test_fixed_fields_and_nulls_are_422(self, programs, auth, body):
        program = await agency_program(programs, auth())
        response = await programs.patch(f"/api/v1/programs/{program['id']}", json=body,
                                        headers=auth() | {"If-Match": '"1"'})
        assert_problem(response, 422, "validation")

    async def test_a_district_cannot_change_provincial_or_other_districts_programmes(self, programs, auth):
        provincial = await agency_program(programs, auth("18"), "18")
        other = await agency_program(programs, auth("18.01"), "18.01")
        headers = auth("18.71") | {"If-Match": '"1"'}
        above = await programs.patch(f"/api/v1/programs/{provincial['id']}", json={"name": "X"}, headers=headers)
        outside = await programs.patch(f"/api/v1/programs/{other['id']}", json={"name": "X"}, headers=headers)
        assert_problem(above, 403, "program-read-only")
        assert_problem(outside, 404, "program-not-found")
        assert (await programs.get(f"/api/v1/programs/{provincial['id']}", headers=auth("18"))).json()["version"] == 1
