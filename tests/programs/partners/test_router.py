from tests.programs.factories import create_agency, program_body
from tests.support import assert_problem


async def _partner(programs, headers, **body):
    response = await programs.post("/api/v1/partners", json={"name": "PT Pupuk", "kind": "state_enterprise"} | body,
                                   headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


class TestPartners:
    async def test_registers_a_partner_in_the_tokens_region_by_default(self, programs, auth):
        partner = await _partner(programs, auth("18.71"))
        assert partner["region_code"] == "18.71" and partner["kind"] == "state_enterprise"
        read = await programs.get(f"/api/v1/partners/{partner['id']}", headers=auth("18.71"))
        assert read.json() == partner

    async def test_a_region_outside_the_token_is_403(self, programs, auth):
        response = await programs.post("/api/v1/partners", json={"name": "NGO", "kind": "ngo", "region_code": "18.01"},
                                       headers=auth("18.71"))
        assert_problem(response, 403, "partner-outside-region")

    async def test_an_unknown_kind_is_422(self, programs, auth):
        response = await programs.post("/api/v1/partners", json={"name": "X", "kind": "bank"}, headers=auth())
        assert_problem(response, 422, "validation")

    async def test_lists_partners_inside_and_above_by_name(self, programs, auth):
        provincial = await _partner(programs, auth("18"), name="B Provincial")
        own = await _partner(programs, auth("18.71"), name="A Own")
        other = await _partner(programs, auth("18.01"), name="C Other")
        seen, cursor = [], None
        while True:
            params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
            page = (await programs.get("/api/v1/partners", params=params, headers=auth("18.71"))).json()
            seen += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen[:2] == [own["id"], provincial["id"]] and other["id"] not in seen
        assert_problem(await programs.get(f"/api/v1/partners/{other['id']}", headers=auth("18.71")), 404,
                       "partner-not-found")

    async def test_programmes_link_partners_they_can_see(self, programs, auth):
        partner = await _partner(programs, auth("18.71"))
        other = await _partner(programs, auth("18.01"))
        agency = await create_agency(programs, auth("18.71"))
        response = await programs.post("/api/v1/programs", json=program_body(agency["id"],
                                       partner_ids=[partner["id"], other["id"]]), headers=auth("18.71"))
        body = assert_problem(response, 422, "invalid-program")
        assert body["errors"] == [{"pointer": "/partner_ids/1", "detail": "no partner with this id for this client"}]
        linked = await programs.post("/api/v1/programs", json=program_body(agency["id"], partner_ids=[partner["id"]]),
                                     headers=auth("18.71"))
        assert linked.json()["partner_ids"] == [partner["id"]]
