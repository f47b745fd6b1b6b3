from datetime import date

from tests.support import assert_problem
from tests.targeting import factories as f


class TestPeopleSearch:
    async def test_finds_by_nik_in_the_body(self, targeting, auth):
        created = await f.create(targeting, auth())
        nik = created["members"][1]["nik"]
        response = await targeting.post("/api/v1/people/search", json={"nik": nik}, headers=auth())
        items = response.json()["items"]
        assert [i["member"]["id"] for i in items] == [created["members"][1]["id"]]
        assert items[0]["household_id"] == created["id"] and items[0]["region_code"] == created["region_code"]

    async def test_finds_by_name_prefix_and_birth_date_ignoring_case_and_spaces(self, targeting, auth):
        head = f.member("head", born=date(1971, 2, 3), name="Rahmat  Hidayat")
        created = await f.create(targeting, auth(), members=[head])
        response = await targeting.post("/api/v1/people/search",
                                        json={"name": "rahmat hid", "birth_date": "1971-02-03"}, headers=auth())
        assert created["members"][0]["id"] in [i["member"]["id"] for i in response.json()["items"]]
        wrong_date = await targeting.post("/api/v1/people/search",
                                          json={"name": "rahmat hid", "birth_date": "1971-02-04"}, headers=auth())
        assert created["members"][0]["id"] not in [i["member"]["id"] for i in wrong_date.json()["items"]]

    async def test_never_finds_outside_the_token_region(self, targeting, auth):
        created = await f.create(targeting, auth(), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        response = await targeting.post("/api/v1/people/search", json={"nik": created["members"][0]["nik"]},
                                        headers=auth("18.71"))
        assert response.json()["items"] == []
        assert_problem(await targeting.post("/api/v1/people/search", json={
            "name": "Budi", "birth_date": "1980-03-05", "region": "18.01"}, headers=auth("18.71")), 403)

    async def test_masks_without_pii_read(self, targeting, auth):
        created = await f.create(targeting, auth())
        response = await targeting.post("/api/v1/people/search", json={"nik": created["members"][0]["nik"]},
                                        headers=auth("18", "registry:read"))
        member = response.json()["items"][0]["member"]
        assert member["nik"].startswith("************") and member["name"] == "B. S."

    async def test_needs_nik_or_name_with_birth_date(self, targeting, auth):
        assert_problem(await targeting.post("/api/v1/people/search", json={"name": "Budi"}, headers=auth()), 422)
        assert_problem(await targeting.post("/api/v1/people/search", json={"nik": "123"}, headers=auth()), 422)


class TestLookup:
    async def test_resolves_ids_in_request_order_hiding_other_regions(self, targeting, auth):
        mine = await f.create(targeting, auth())
        theirs = await f.create(targeting, auth(), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        gone = await f.create(targeting, auth())
        await targeting.post(f"/api/v1/households/{gone['id']}/deactivate", json={"reason": "moved"},
                             headers=auth())
        unknown = "00000000-0000-7000-8000-000000000001"
        response = await targeting.post("/api/v1/households/lookup", headers=auth("18.71"), json={
            "household_ids": [theirs["id"], mine["id"], unknown, gone["id"]]})
        items = response.json()["items"]
        assert [(i["ref"], i["found"], i["status"]) for i in items] == [
            (theirs["id"], False, None), (mine["id"], True, "active"), (unknown, False, None),
            (gone["id"], True, "inactive")]
        assert items[1]["region_code"] == mine["region_code"] and items[1]["extreme_poor"] is True

    async def test_resolves_niks_to_members(self, targeting, auth):
        created = await f.create(targeting, auth())
        nik = created["members"][2]["nik"]
        response = await targeting.post("/api/v1/households/lookup", json={"niks": [nik, "1871010101010001"]},
                                        headers=auth())
        items = response.json()["items"]
        assert items[0]["member_id"] == created["members"][2]["id"] and items[0]["household_id"] == created["id"]
        assert items[1] == {"ref": "1871010101010001", "found": False, "household_id": None, "member_id": None,
                            "region_code": None, "status": None, "welfare_decile": None, "extreme_poor": None,
                            "matches_criteria": None}

    async def test_refuses_both_or_neither_and_more_than_10000(self, targeting, auth):
        assert_problem(await targeting.post("/api/v1/households/lookup", json={}, headers=auth()), 422)
        too_many = {"household_ids": ["00000000-0000-7000-8000-000000000001"] * 10_001}
        assert_problem(await targeting.post("/api/v1/households/lookup", json=too_many, headers=auth()), 422)
