"""Target lists: frozen at creation with the registry position, paged, compared, scoped."""

from datetime import date

from sqlalchemy import text

from tests.support import assert_problem
from tests.targeting import factories as f
from tests.targeting.factories import HouseholdRow, MemberRow

POOR = {"field": "welfare_decile", "op": "lte", "value": 2}
WRITER = "registry:read registry:write pii:read"


def rows() -> list[HouseholdRow]:
    def kids(n):
        return [MemberRow(date(1980, 1, 1), "M", "head")] + [MemberRow(date(2015, 1, 1)) for _ in range(n - 1)]

    return [
        HouseholdRow(f.BANDAR_LAMPUNG_VILLAGE, welfare_decile=1, members=kids(3)),
        HouseholdRow(f.BANDAR_LAMPUNG_VILLAGE_2, welfare_decile=2, members=kids(2)),
        HouseholdRow(f.SUKARAME_VILLAGE, welfare_decile=2,
                     members=[*kids(4), MemberRow(date(1950, 1, 1), status="inactive")]),
        HouseholdRow(f.SUKARAME_VILLAGE, welfare_decile=7, members=kids(1)),
        HouseholdRow(f.SUKARAME_VILLAGE, welfare_decile=1, status="inactive", members=kids(1)),
        HouseholdRow(f.LAMPUNG_SELATAN_VILLAGE, welfare_decile=1, members=kids(2)),
    ]


async def create_list(targeting, headers, criteria=POOR, region="18", name="Desil 1-2", **extra):
    response = await targeting.post("/api/v1/target-lists", headers=headers,
                                    json={"name": name, "criteria": criteria, "region": region, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def all_households(targeting, headers, list_id, limit=2):
    seen, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = await targeting.get(f"/api/v1/target-lists/{list_id}/households", params=params, headers=headers)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen


class TestCreate:
    async def test_freezes_the_matching_active_households_with_their_counts(self, targeting, auth, connection):
        data = await f.insert_households(connection, rows())
        response = await targeting.post("/api/v1/target-lists", headers=auth(), json={
            "name": "Desil 1-2", "criteria": POOR, "region": "18.71", "as_of": "2025-01-31"})
        assert response.status_code == 201, response.text
        created = response.json()
        assert response.headers["location"] == f"/api/v1/target-lists/{created['id']}"
        expected = [h for h in data if h.status == "active" and h.welfare_decile <= 2
                    and h.region_code.startswith("18.71.")]
        assert created["households"] == len(expected) == 3
        assert created["members"] == sum(len(h.active_members) for h in expected) == 9
        assert (created["name"], created["criteria"], created["region"], created["as_of"]) == (
            "Desil 1-2", POOR, "18.71", "2025-01-31")
        assert created["created_by"] == "test-client"
        items = await all_households(targeting, auth(), created["id"])
        assert [i["household_id"] for i in items] == sorted(str(h.id) for h in expected)
        assert {i["household_id"]: (i["region_code"], i["members"]) for i in items} == {
            str(h.id): (h.region_code, len(h.active_members)) for h in expected}
        read = await targeting.get(f"/api/v1/target-lists/{created['id']}", headers=auth())
        assert read.json() == created

    async def test_registry_seq_is_the_feed_head_it_reflects(self, targeting, auth, connection):
        household = await f.create(targeting, auth())
        head = (await connection.execute(text("SELECT max(seq) FROM targeting.registry_change"))).scalar_one()
        first = await create_list(targeting, auth())
        assert first["registry_seq"] == head and first["households"] == 1
        await targeting.patch(f"/api/v1/households/{household['id']}", json={"welfare_decile": 9},
                              headers=auth() | {"If-Match": '"1"'})
        second = await create_list(targeting, auth())
        assert second["registry_seq"] > first["registry_seq"] and second["households"] == 0

    async def test_as_of_defaults_to_today_and_drives_age(self, targeting, auth, connection):
        from kit.clock import today_jakarta

        data = await f.insert_households(connection, rows())
        teens = {"member": {"field": "age", "op": "between", "value": [10, 19]}}

        def expected(on):
            return sum(1 for h in data if h.status == "active" and any(10 <= m.age(on) <= 19
                                                                        for m in h.active_members))

        today = await create_list(targeting, auth(), teens)
        assert today["as_of"] == today_jakarta().isoformat()
        assert today["households"] == expected(today_jakarta())
        assert (await create_list(targeting, auth(), teens, as_of="2025-06-01"))["households"] == 4
        assert (await create_list(targeting, auth(), teens, as_of="2024-12-31"))["households"] == 0

    async def test_a_retry_with_the_same_key_returns_the_same_list(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        headers = auth() | {"Idempotency-Key": "list-1"}
        body = {"name": "x", "criteria": POOR, "region": "18"}
        first = await targeting.post("/api/v1/target-lists", json=body, headers=headers)
        again = await targeting.post("/api/v1/target-lists", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
        count = (await connection.execute(text("SELECT count(*) FROM targeting.target_list"))).scalar_one()
        assert count == 1

    async def test_bad_criteria_are_422_with_a_pointer_and_save_nothing(self, targeting, auth, connection):
        problem = assert_problem(await targeting.post("/api/v1/target-lists", headers=auth(), json={
            "name": "x", "region": "18", "criteria": {"not": {"field": "decile", "op": "lte", "value": 2}}}),
            422, "invalid-criteria")
        assert problem["errors"][0]["pointer"] == "/criteria/not/field"
        assert (await connection.execute(text("SELECT count(*) FROM targeting.target_list"))).scalar_one() == 0

    async def test_the_body_is_validated(self, targeting, auth):
        for body in ({"name": "", "criteria": POOR, "region": "18"}, {"name": "x", "criteria": POOR},
                     {"name": "x\n", "criteria": POOR, "region": "18", "extra": 1}):
            assert_problem(await targeting.post("/api/v1/target-lists", json=body, headers=auth()), 422)


class TestImmutability:
    async def test_later_registry_changes_do_not_change_a_list_and_diff_shows_them(self, targeting, auth):
        a = await f.create(targeting, auth("18", WRITER), welfare_decile=1)
        b = await f.create(targeting, auth("18", WRITER), welfare_decile=2, region_code=f.BANDAR_LAMPUNG_VILLAGE_2)
        c = await f.create(targeting, auth("18", WRITER), welfare_decile=2)
        before = await create_list(targeting, auth())
        frozen_items = await all_households(targeting, auth(), before["id"])

        await targeting.patch(f"/api/v1/households/{a['id']}", json={"welfare_decile": 8},
                              headers=auth("18", WRITER) | {"If-Match": '"1"'})
        await targeting.post(f"/api/v1/households/{b['id']}/deactivate", json={"reason": "moved"},
                             headers=auth("18", WRITER))
        await targeting.post(f"/api/v1/households/{c['id']}/members", json=f.member("grandchild"),
                             headers=auth("18", WRITER))
        d = await f.create(targeting, auth("18", WRITER), welfare_decile=1)

        again = await targeting.get(f"/api/v1/target-lists/{before['id']}", headers=auth())
        assert again.json() == before
        assert await all_households(targeting, auth(), before["id"]) == frozen_items
        assert {i["household_id"]: i["members"] for i in frozen_items}[c["id"]] == 3

        after = await create_list(targeting, auth())
        assert after["households"] == 2 and after["members"] == 4 + 3
        diff = (await targeting.get(f"/api/v1/target-lists/{after['id']}/diff",
                                    params={"against": before["id"]}, headers=auth())).json()
        assert (diff["added"], diff["removed"], diff["unchanged"]) == (1, 2, 1)
        assert diff["items"] == sorted([
            {"household_id": d["id"], "region_code": d["region_code"], "change": "added"},
            {"household_id": a["id"], "region_code": a["region_code"], "change": "removed"},
            {"household_id": b["id"], "region_code": b["region_code"], "change": "removed"},
        ], key=lambda i: i["household_id"])
        assert diff["next_cursor"] is None

    async def test_diff_pages_by_household_id(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        poor = await create_list(targeting, auth(), POOR)
        nobody = await create_list(targeting, auth(), {"any": []})
        seen, cursor = [], None
        while True:
            params = {"against": poor["id"], "limit": 1} | ({"cursor": cursor} if cursor else {})
            page = (await targeting.get(f"/api/v1/target-lists/{nobody['id']}/diff", params=params,
                                        headers=auth())).json()
            assert (page["added"], page["removed"], page["unchanged"]) == (0, poor["households"], 0)
            seen += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        frozen = await all_households(targeting, auth(), poor["id"])
        assert [i["household_id"] for i in seen] == [i["household_id"] for i in frozen]
        assert {i["change"] for i in seen} == {"removed"}

    async def test_there_is_no_way_to_change_a_list(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        created = await create_list(targeting, auth())
        for method in ("PATCH", "PUT", "DELETE"):
            response = await targeting.request(method, f"/api/v1/target-lists/{created['id']}", json={},
                                               headers=auth())
            assert_problem(response, 405)


class TestList:
    async def test_newest_first_with_keyset_pages(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        made = [await create_list(targeting, auth(), name=f"list {i}") for i in range(3)]
        seen, cursor = [], None
        while True:
            page = (await targeting.get("/api/v1/target-lists", params={"limit": 2} | (
                {"cursor": cursor} if cursor else {}), headers=auth())).json()
            seen += [i["name"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [m["name"] for m in reversed(made)]


class TestScoping:
    async def test_a_list_outside_the_token_region_does_not_exist_for_it(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        theirs = await create_list(targeting, auth("18.01", "registry:read"), region="18.01")
        mine = await create_list(targeting, auth("18.71", "registry:read"), region="18.71")
        district = auth("18.71", "registry:read")
        for path in ("", "/households", f"/diff?against={mine['id']}"):
            assert_problem(await targeting.get(f"/api/v1/target-lists/{theirs['id']}{path}", headers=district),
                           404, "target-list-not-found")
        assert_problem(await targeting.get(f"/api/v1/target-lists/{mine['id']}/diff",
                                           params={"against": theirs["id"]}, headers=district), 404)
        listed = (await targeting.get("/api/v1/target-lists", headers=district)).json()
        assert [i["id"] for i in listed["items"]] == [mine["id"]]
        province = (await targeting.get("/api/v1/target-lists", headers=auth())).json()
        assert {i["id"] for i in province["items"]} == {mine["id"], theirs["id"]}

    async def test_a_province_list_is_invisible_to_a_district(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        province = await create_list(targeting, auth(), region="18")
        assert_problem(await targeting.get(f"/api/v1/target-lists/{province['id']}",
                                           headers=auth("18.71", "registry:read")), 404)

    async def test_regions_are_narrowed_or_refused(self, targeting, auth, connection):
        await f.insert_households(connection, rows())
        district = auth("18.71", "registry:read")
        narrowed = await create_list(targeting, district, region="18")
        assert narrowed["region"] == "18.71" and narrowed["households"] == 3
        assert_problem(await targeting.post("/api/v1/target-lists", headers=district, json={
            "name": "x", "criteria": POOR, "region": "18.01"}), 403)
        assert_problem(await targeting.get("/api/v1/target-lists", params={"region": "18.01"}, headers=district),
                       403)

    async def test_needs_registry_read(self, targeting, auth):
        assert_problem(await targeting.post("/api/v1/target-lists", headers=auth("18", "programs:read"), json={
            "name": "x", "criteria": POOR, "region": "18"}), 403)
