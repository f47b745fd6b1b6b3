from tests.programs.factories import agency_body, create_agency
from tests.support import assert_problem


class TestCreateAgency:
    async def test_registers_a_district_agency_with_location_and_etag(self, programs, auth):
        response = await programs.post("/api/v1/agencies", json=agency_body("18.71", code="DINSOS-1871"),
                                       headers=auth("18.71"))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["code"] == "DINSOS-1871" and body["level"] == "regency" and body["region_code"] == "18.71"
        assert body["version"] == 1
        assert response.headers["location"] == f"/api/v1/agencies/{body['id']}"
        assert response.headers["etag"] == '"1"'

    async def test_a_level_that_does_not_fit_the_region_is_422_with_pointer(self, programs, auth):
        response = await programs.post("/api/v1/agencies", json=agency_body("18.71", level="province"),
                                       headers=auth())
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["pointer"] == "/region_code"

    async def test_unknown_fields_are_422(self, programs, auth):
        response = await programs.post("/api/v1/agencies", json=agency_body() | {"budget": 1}, headers=auth())
        body = assert_problem(response, 422, "validation")
        assert body["errors"][0]["pointer"] == "/budget"

    async def test_a_region_outside_the_token_is_403(self, programs, auth):
        response = await programs.post("/api/v1/agencies", json=agency_body("18.01"), headers=auth("18.71"))
        assert_problem(response, 403, "agency-outside-region")

    async def test_a_district_cannot_register_a_provincial_agency(self, programs, auth):
        response = await programs.post("/api/v1/agencies", json=agency_body("18"), headers=auth("18.71"))
        assert_problem(response, 403, "agency-outside-region")

    async def test_a_taken_code_is_409(self, programs, auth):
        await create_agency(programs, auth(), code="DINKES-18")
        response = await programs.post("/api/v1/agencies", json=agency_body(code="DINKES-18"), headers=auth())
        assert_problem(response, 409, "agency-code-taken")

    async def test_needs_the_write_scope(self, programs, auth):
        response = await programs.post("/api/v1/agencies", json=agency_body(), headers=auth(scopes="programs:read"))
        assert_problem(response, 403, "forbidden")

    async def test_needs_a_token(self, programs):
        assert_problem(await programs.post("/api/v1/agencies", json=agency_body()), 401, "unauthorized")


class TestReadAgencies:
    async def test_a_district_sees_its_own_and_the_provincial_agencies_only(self, programs, auth):
        province = await create_agency(programs, auth("18"), "18")
        own = await create_agency(programs, auth("18.71"), "18.71")
        other = await create_agency(programs, auth("18.01"), "18.01")
        district = auth("18.71", scopes="programs:read")
        listed = (await programs.get("/api/v1/agencies", params={"limit": 1000}, headers=district)).json()
        seen = {a["id"] for a in listed["items"]}
        assert {province["id"], own["id"]} <= seen and other["id"] not in seen
        assert (await programs.get(f"/api/v1/agencies/{province['id']}", headers=district)).status_code == 200
        outside = await programs.get(f"/api/v1/agencies/{other['id']}", headers=district)
        unknown = await programs.get("/api/v1/agencies/00000000-0000-0000-0000-000000000000", headers=district)
        assert_problem(outside, 404, "agency-not-found")
        assert_problem(unknown, 404, "agency-not-found")

    async def test_pages_by_code_with_a_keyset_cursor(self, programs, auth):
        created = [await create_agency(programs, auth(), "18.72", code=f"KM-{i:02d}") for i in range(5)]
        seen, cursor = [], None
        while True:
            params = {"limit": 2, "level": "regency"} | ({"cursor": cursor} if cursor else {})
            page = (await programs.get("/api/v1/agencies", params=params, headers=auth("18.72"))).json()
            seen += [a["code"] for a in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(a["code"] for a in created)

    async def test_a_forged_cursor_is_422(self, programs, auth):
        response = await programs.get("/api/v1/agencies", params={"cursor": "WyJ4IiwxXQ"}, headers=auth())
        assert_problem(response, 422, "invalid-cursor")


class TestUpdateAgency:
    async def test_changes_the_name_and_bumps_the_version(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.patch(f"/api/v1/agencies/{agency['id']}", json={"name": "Dinas Sosial Kota"},
                                        headers=auth() | {"If-Match": '"1"'})
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Dinas Sosial Kota" and response.json()["version"] == 2
        assert response.headers["etag"] == '"2"'

    async def test_without_if_match_is_428(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.patch(f"/api/v1/agencies/{agency['id']}", json={"name": "X"}, headers=auth())
        assert_problem(response, 428, "precondition-required")

    async def test_a_stale_if_match_is_412_and_changes_nothing(self, programs, auth):
        agency = await create_agency(programs, auth())
        url = f"/api/v1/agencies/{agency['id']}"
        await programs.patch(url, json={"name": "First"}, headers=auth() | {"If-Match": '"1"'})
        response = await programs.patch(url, json={"name": "Second"}, headers=auth() | {"If-Match": '"1"'})
        assert_problem(response, 412, "precondition-failed")
        assert (await programs.get(url, headers=auth())).json()["name"] == "First"

    async def test_region_and_level_are_fixed(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.patch(f"/api/v1/agencies/{agency['id']}", json={"region_code": "18.01"},
                                        headers=auth() | {"If-Match": '"1"'})
        assert_problem(response, 422, "validation")

    async def test_null_for_a_required_field_is_422(self, programs, auth):
        agency = await create_agency(programs, auth())
        response = await programs.patch(f"/api/v1/agencies/{agency['id']}", json={"name": None},
                                        headers=auth() | {"If-Match": '"1"'})
        assert assert_problem(response, 422, "validation")["errors"][0]["pointer"] == "/name"

    async def test_a_taken_code_is_409(self, programs, auth):
        await create_agency(programs, auth(), code="TAKEN")
        agency = await create_agency(programs, auth())
        response = await programs.patch(f"/api/v1/agencies/{agency['id']}", json={"code": "TAKEN"},
                                        headers=auth() | {"If-Match": '"1"'})
        assert_problem(response, 409, "agency-code-taken")

    async def test_a_district_cannot_change_a_provincial_or_another_districts_agency(self, programs, auth):
        province = await create_agency(programs, auth("18"), "18")
        other = await create_agency(programs, auth("18.01"), "18.01")
        headers = auth("18.71") | {"If-Match": '"1"'}
        above = await programs.patch(f"/api/v1/agencies/{province['id']}", json={"name": "X"}, headers=headers)
        outside = await programs.patch(f"/api/v1/agencies/{other['id']}", json={"name": "X"}, headers=headers)
        assert_problem(above, 403, "agency-read-only")
        assert_problem(outside, 404, "agency-not-found")
