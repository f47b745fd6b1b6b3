from datetime import date, timedelta

import pytest
from sqlalchemy import text

from kit.clock import today_jakarta
from tests.support import assert_problem
from tests.targeting import factories as f

WRITER = "registry:read registry:write pii:read"


async def _count(connection, sql, **params):
    return (await connection.execute(text(sql), params)).scalar_one()


class TestCreateHousehold:
    async def test_creates_with_members_location_and_etag(self, targeting, auth):
        body = f.household()
        response = await targeting.post("/api/v1/households", json=body, headers=auth("18.71", WRITER))
        assert response.status_code == 201, response.text
        created = response.json()
        assert response.headers["location"] == f"/api/v1/households/{created['id']}"
        assert response.headers["etag"] == '"1"'
        assert created["no_kk"] == body["no_kk"] and created["status"] == "active" and created["version"] == 1
        assert created["housing"]["floor"] == "earth" and created["welfare_decile"] == 1
        assert [m["relationship"] for m in created["members"]] == ["head", "spouse", "child"]
        assert created["members"][2]["school_participation"] == "dropped_out"

    async def test_read_back_equals_what_was_created(self, targeting, auth):
        created = await f.create(targeting, auth("18.71", WRITER))
        read = await targeting.get(f"/api/v1/households/{created['id']}", headers=auth("18.71", WRITER))
        assert read.status_code == 200 and read.json() == created
        assert read.headers["etag"] == '"1"'

    @pytest.mark.parametrize(("path", "value", "code"), [
        (("no_kk",), "3.57301E+15", "no_kk_excel_mangled"),
        (("members", 0, "nik"), "1871011708850000", "nik_serial_zero"),
        (("members", 1, "nik"), "1871013208850001", "nik_date_invalid"),
        (("members", 0, "nik"), "1871.0117.0885.0001", "nik_format"),
        (("welfare_decile",), 11, "less_than_equal"),
        (("welfare_decile",), 0, "greater_than_equal"),
        (("region_code",), "18.71.01", "string_pattern_mismatch"),
        # Tomorrow as the test runs, not as it was collected: a run across Jakarta's midnight would send today.
        (("members", 0, "birth_date"), lambda: (today_jakarta() + timedelta(days=1)).isoformat(), "birth_date_future"),
        (("members", 0, "name"), "Budi\u0000", "control_characters"),
        (("members", 0, "sex"), "X", "enum"),
        (("housing", "floor"), "marble", "enum"),
    ])
    async def test_refuses_bad_fields_with_a_pointer_and_saves_nothing(self, targeting, auth, connection, path,
                                                                       value, code):
        value = value() if callable(value) else value
        body = f.household()
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        before = await _count(connection, "SELECT count(*) FROM targeting.household")
        problem = assert_problem(
            await targeting.post("/api/v1/households", json=body, headers=auth("18.71", WRITER)), 422)
        pointer = "/" + "/".join(str(p) for p in path)
        assert any(e["pointer"] == pointer and e["code"] == code for e in problem["errors"]), problem
        assert await _count(connection, "SELECT count(*) FROM targeting.household") == before
        assert str(value) not in str(problem) or code in ("less_than_equal", "greater_than_equal", "enum")

    async def test_excel_mangling_says_so(self, targeting, auth):
        body = f.household(no_kk="1.87101E+15")
        problem = assert_problem(await targeting.post("/api/v1/households", json=body, headers=auth()), 422)
        assert "Excel" in problem["errors"][0]["detail"]

    async def test_unknown_regency_prefix_is_refused_by_the_registry(self, targeting, auth):
        body = f.household()
        body["members"][0]["nik"] = "1899011708850001"
        problem = assert_problem(await targeting.post("/api/v1/households", json=body, headers=auth()), 422,
                                 "registry-validation")
        assert problem["errors"] == [{"pointer": "/members/0/nik", "detail": problem["errors"][0]["detail"],
                                      "code": "nik_region_unknown"}]

    async def test_unknown_village_is_refused(self, targeting, auth):
        problem = assert_problem(await targeting.post(
            "/api/v1/households", json=f.household("18.71.01.9999"), headers=auth()), 422, "registry-validation")
        assert problem["errors"][0]["pointer"] == "/region_code"

    @pytest.mark.parametrize("relationships", [["spouse", "child"], ["head", "head"]])
    async def test_exactly_one_head(self, targeting, auth, relationships):
        members = [f.member(r) for r in relationships]
        problem = assert_problem(await targeting.post(
            "/api/v1/households", json=f.household(members=members), headers=auth()), 422)
        assert problem["errors"][0] == {"pointer": "/members", "detail": problem["errors"][0]["detail"],
                                        "code": "head_count"}

    async def test_unknown_fields_are_refused(self, targeting, auth):
        body = f.household(colour="blue")
        problem = assert_problem(await targeting.post("/api/v1/households", json=body, headers=auth()), 422)
        assert problem["errors"][0]["pointer"] == "/colour"

    async def test_nik_sex_or_date_mismatch_is_accepted_with_a_warning(self, targeting, auth):
        head = f.member("head", born=date(1980, 3, 5))
        head["sex"] = "F"
        head["birth_date"] = "1980-03-06"
        created = await f.create(targeting, auth(), members=[head])
        assert created["members"][0]["data_quality"] == ["nik_sex_mismatch", "nik_birth_date_mismatch"]

    async def test_an_active_nik_cannot_join_a_second_household(self, targeting, auth, connection):
        first = await f.create(targeting, auth("18", WRITER))
        again = f.household(f.LAMPUNG_SELATAN_VILLAGE)
        again["members"][0]["nik"] = first["members"][0]["nik"]
        problem = assert_problem(await targeting.post("/api/v1/households", json=again,
                                                      headers=auth("18.01", WRITER)), 409, "nik-taken")
        assert problem["errors"] == [{"pointer": "/members/0/nik", "detail": "already registered to an active member"}]
        assert first["id"] not in str(problem) and first["region_code"] not in str(problem)

    async def test_an_active_no_kk_is_unique(self, targeting, auth):
        first = await f.create(targeting, auth())
        problem = assert_problem(await targeting.post(
            "/api/v1/households", json=f.household(no_kk=first["no_kk"]), headers=auth()), 409, "no-kk-taken")
        assert problem["errors"][0]["pointer"] == "/no_kk"

    async def test_a_village_outside_the_token_region_is_403(self, targeting, auth):
        problem = assert_problem(await targeting.post(
            "/api/v1/households", json=f.household(f.LAMPUNG_SELATAN_VILLAGE), headers=auth("18.71", WRITER)),
            403, "region-outside-scope")
        assert problem["errors"][0]["pointer"] == "/region_code"

    async def test_needs_the_write_scope(self, targeting, auth):
        assert_problem(await targeting.post("/api/v1/households", json=f.household(),
                                            headers=auth("18", "registry:read")), 403, "forbidden")


class TestIdempotency:
    async def test_a_replay_returns_the_first_response_and_creates_once(self, targeting, auth, connection):
        body = f.household()
        headers = auth("18", WRITER) | {"Idempotency-Key": "create-1"}
        first = await targeting.post("/api/v1/households", json=body, headers=headers)
        again = await targeting.post("/api/v1/households", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        assert await _count(connection, "SELECT count(*) FROM targeting.household WHERE no_kk = :k",
                            k=body["no_kk"]) == 1

    async def test_the_same_key_with_another_body_is_422(self, targeting, auth):
        headers = auth("18", WRITER) | {"Idempotency-Key": "create-2"}
        await targeting.post("/api/v1/households", json=f.household(), headers=headers)
        assert_problem(await targeting.post("/api/v1/households", json=f.household(), headers=headers), 422,
                       "idempotency-key-reused")

    async def test_keys_belong_to_their_client(self, targeting, auth):
        body = f.household()
        await targeting.post("/api/v1/households", json=body,
                             headers=auth(client_id="a") | {"Idempotency-Key": "k"})
        other = await targeting.post("/api/v1/households", json=body,
                                     headers=auth(client_id="b") | {"Idempotency-Key": "k"})
        assert_problem(other, 409, "no-kk-taken")


class TestUpdateHousehold:
    async def test_patch_with_if_match_changes_fields_and_bumps_the_version(self, targeting, auth):
        created = await f.create(targeting, auth())
        response = await targeting.patch(
            f"/api/v1/households/{created['id']}", json={"welfare_decile": 3, "housing": {"floor": "ceramic"}},
            headers=auth() | {"If-Match": '"1"'})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["welfare_decile"] == 3 and body["housing"]["floor"] == "ceramic"
        assert body["housing"]["wall"] == "bamboo" and body["version"] == 2 and response.headers["etag"] == '"2"'

    async def test_without_if_match_is_428(self, targeting, auth):
        created = await f.create(targeting, auth())
        assert_problem(await targeting.patch(f"/api/v1/households/{created['id']}", json={"welfare_decile": 3},
                                             headers=auth()), 428)

    async def test_a_stale_if_match_is_412_and_changes_nothing(self, targeting, auth):
        created = await f.create(targeting, auth())
        await targeting.patch(f"/api/v1/households/{created['id']}", json={"welfare_decile": 3},
                              headers=auth() | {"If-Match": '"1"'})
        assert_problem(await targeting.patch(f"/api/v1/households/{created['id']}", json={"welfare_decile": 9},
                                             headers=auth() | {"If-Match": '"1"'}), 412)
        read = await targeting.get(f"/api/v1/households/{created['id']}", headers=auth())
        assert read.json()["welfare_decile"] == 3

    async def test_an_unchanged_patch_keeps_the_version_and_emits_nothing(self, targeting, auth, connection):
        created = await f.create(targeting, auth())
        before = await _count(connection, "SELECT count(*) FROM targeting.registry_change")
        response = await targeting.patch(f"/api/v1/households/{created['id']}", json={"welfare_decile": 1},
                                         headers=auth() | {"If-Match": '"1"'})
        assert response.json()["version"] == 1
        assert await _count(connection, "SELECT count(*) FROM targeting.registry_change") == before

    async def test_moving_outside_the_token_region_is_403(self, targeting, auth):
        created = await f.create(targeting, auth("18.71", WRITER))
        assert_problem(await targeting.patch(
            f"/api/v1/households/{created['id']}", json={"region_code": f.LAMPUNG_SELATAN_VILLAGE},
            headers=auth("18.71", WRITER) | {"If-Match": '"1"'}), 403)


class TestDeactivate:
    async def test_deactivates_household_and_members_and_frees_their_niks(self, targeting, auth):
        created = await f.create(targeting, auth())
        response = await targeting.post(f"/api/v1/households/{created['id']}/deactivate",
                                        json={"reason": "moved"}, headers=auth())
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "inactive" and body["inactive_reason"] == "moved"
        assert {m["status"] for m in body["members"]} == {"inactive"}
        again = f.household(members=[f.member(nik=created["members"][0]["nik"], born=date(1980, 3, 5))],
                            no_kk=created["no_kk"])
        assert (await targeting.post("/api/v1/households", json=again, headers=auth())).status_code == 201

    async def test_an_unknown_reason_is_422(self, targeting, auth):
        created = await f.create(targeting, auth())
        assert_problem(await targeting.post(f"/api/v1/households/{created['id']}/deactivate",
                                            json={"reason": "bored"}, headers=auth()), 422)

    async def test_nothing_is_deleted(self, targeting, auth, connection):
        created = await f.create(targeting, auth())
        await targeting.post(f"/api/v1/households/{created['id']}/deactivate", json={"reason": "duplicate"},
                             headers=auth())
        assert await _count(connection, "SELECT count(*) FROM targeting.member WHERE household_id = :h",
                            h=created["id"]) == 3


class TestMembers:
    async def test_adds_a_member(self, targeting, auth):
        created = await f.create(targeting, auth())
        response = await targeting.post(f"/api/v1/households/{created['id']}/members",
                                        json=f.member("grandchild", born=date(2020, 5, 1)), headers=auth())
        assert response.status_code == 201 and response.headers["etag"] == '"1"'
        assert response.json()["relationship"] == "grandchild"
        read = (await targeting.get(f"/api/v1/households/{created['id']}", headers=auth())).json()
        assert len(read["members"]) == 4

    async def test_a_second_head_is_refused(self, targeting, auth):
        created = await f.create(targeting, auth())
        problem = assert_problem(await targeting.post(f"/api/v1/households/{created['id']}/members",
                                                      json=f.member("head"), headers=auth()), 422)
        assert problem["errors"][0]["code"] == "head_count"

    async def test_patches_a_member_with_if_match(self, targeting, auth):
        created = await f.create(targeting, auth())
        child = created["members"][2]
        url = f"/api/v1/households/{created['id']}/members/{child['id']}"
        response = await targeting.patch(url, json={"school_participation": "enrolled"},
                                         headers=auth() | {"If-Match": '"1"'})
        assert response.status_code == 200 and response.json()["school_participation"] == "enrolled"
        assert response.json()["version"] == 2
        assert_problem(await targeting.patch(url, json={"pregnant": True}, headers=auth() | {"If-Match": '"1"'}), 412)
        assert_problem(await targeting.patch(url, json={"pregnant": True}, headers=auth()), 428)

    async def test_deactivates_a_member_with_a_reason(self, targeting, auth):
        created = await f.create(targeting, auth())
        url = f"/api/v1/households/{created['id']}/members/{created['members'][1]['id']}"
        assert_problem(await targeting.patch(url, json={"status": "inactive"},
                                             headers=auth() | {"If-Match": '"1"'}), 422)
        response = await targeting.patch(url, json={"status": "inactive", "inactive_reason": "deceased"},
                                         headers=auth() | {"If-Match": '"1"'})
        assert response.json()["status"] == "inactive" and response.json()["inactive_reason"] == "deceased"

    async def test_a_member_of_another_household_is_404(self, targeting, auth):
        one = await f.create(targeting, auth())
        two = await f.create(targeting, auth())
        url = f"/api/v1/households/{one['id']}/members/{two['members'][0]['id']}"
        assert_problem(await targeting.patch(url, json={"pregnant": True}, headers=auth() | {"If-Match": '"1"'}),
                       404, "member-not-found")


class TestScopingAndMasking:
    async def test_a_household_outside_the_region_is_404_like_an_absent_one(self, targeting, auth):
        created = await f.create(targeting, auth("18.01", WRITER), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        outside = await targeting.get(f"/api/v1/households/{created['id']}", headers=auth("18.71", WRITER))
        absent = await targeting.get("/api/v1/households/00000000-0000-7000-8000-000000000000",
                                     headers=auth("18.71", WRITER))
        assert_problem(outside, 404, "household-not-found")
        assert_problem(absent, 404, "household-not-found")
        for method, path, body in [
            ("PATCH", "", {"welfare_decile": 2}), ("POST", "/deactivate", {"reason": "moved"}),
            ("POST", "/members", f.member("child")),
        ]:
            response = await targeting.request(method, f"/api/v1/households/{created['id']}{path}", json=body,
                                               headers=auth("18.71", WRITER) | {"If-Match": '"1"'})
            assert_problem(response, 404)

    async def test_lists_hold_only_the_token_region_and_403_on_a_disjoint_filter(self, targeting, auth):
        mine = await f.create(targeting, auth("18", WRITER))
        theirs = await f.create(targeting, auth("18", WRITER), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        listed = await targeting.get("/api/v1/households", params={"limit": 1000}, headers=auth("18.71", WRITER))
        ids = {h["id"] for h in listed.json()["items"]}
        assert mine["id"] in ids and theirs["id"] not in ids
        narrowed = await targeting.get("/api/v1/households", params={"region": "18", "limit": 1000},
                                       headers=auth("18.71", WRITER))
        assert {h["id"] for h in narrowed.json()["items"]} == ids
        assert_problem(await targeting.get("/api/v1/households", params={"region": "18.01"},
                                           headers=auth("18.71", WRITER)), 403)

    async def test_without_pii_read_identifiers_are_masked_and_names_initials(self, targeting, auth):
        created = await f.create(targeting, auth())
        read = (await targeting.get(f"/api/v1/households/{created['id']}",
                                    headers=auth("18", "registry:read"))).json()
        assert read["no_kk"] == "************" + created["no_kk"][-4:]
        assert read["address"] is None
        head = read["members"][0]
        assert head["nik"] == "************" + created["members"][0]["nik"][-4:] and head["name"] == "B. S."
        listed = (await targeting.get("/api/v1/households", headers=auth("18", "registry:read"))).json()
        assert all(h["no_kk"].startswith("************") for h in listed["items"])

    async def test_writes_without_pii_read_answer_masked_too(self, targeting, auth):
        response = await targeting.post("/api/v1/households", json=f.household(),
                                        headers=auth("18", "registry:read registry:write"))
        assert response.json()["members"][0]["nik"].startswith("************")


class TestList:
    async def test_filters_and_pages_by_keyset(self, targeting, auth):
        made = [await f.create(targeting, auth(), region_code=f.BANDAR_LAMPUNG_VILLAGE_2,
                               welfare_decile=d, extreme_poor=d == 1) for d in (1, 2, 5)]
        ids = {h["id"] for h in made}
        seen, cursor = [], None
        while True:
            params = {"region": f.BANDAR_LAMPUNG_VILLAGE_2, "welfare_decile_max": 2, "limit": 1}
            page = (await targeting.get("/api/v1/households", params=params | ({"cursor": cursor} if cursor else {}),
                                        headers=auth())).json()
            seen += [h["id"] for h in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert set(seen) == {made[0]["id"], made[1]["id"]} and set(seen) <= ids and seen == sorted(seen)
        extreme = (await targeting.get("/api/v1/households", params={"region": f.BANDAR_LAMPUNG_VILLAGE_2,
                                                                     "extreme_poor": True}, headers=auth())).json()
        assert [h["id"] for h in extreme["items"]] == [made[0]["id"]]


class TestAudit:
    async def test_reads_and_writes_of_personal_data_are_recorded(self, targeting, auth):
        created = await f.create(targeting, auth(client_id="dinsos-1871"))
        await targeting.get(f"/api/v1/households/{created['id']}", headers=auth(client_id="bappeda"))
        trail = await targeting.get("/api/v1/audit", params={"record_id": created["id"]}, headers=auth())
        events = trail.json()["items"]
        assert [(e["client_id"], e["action"]) for e in events] == [
            ("bappeda", "household.read"), ("dinsos-1871", "household.create")]
        assert events[0]["pii_visible"] is True

    async def test_a_district_admin_reads_what_its_own_clients_did_and_the_province_reads_all(self, targeting,
                                                                                             auth):
        kota = await f.create(targeting, auth("18.71", client_id="dinsos-1871"))
        lamsel = await f.create(targeting, auth("18.01", client_id="dinsos-1801"),
                                region_code=f.LAMPUNG_SELATAN_VILLAGE)
        await targeting.get(f"/api/v1/households/{kota['id']}", headers=auth("18", client_id="bappeda"))

        async def trail(region, **params):
            response = await targeting.get("/api/v1/audit", params=params, headers=auth(region))
            return [(e["client_id"], e["action"], e["region_code"]) for e in response.json()["items"]]

        assert await trail("18.71") == [("dinsos-1871", "household.create", "18.71")]
        assert await trail("18.01", record_id=kota["id"]) == []
        assert await trail("18.01", record_id=lamsel["id"]) == [("dinsos-1801", "household.create", "18.01")]
        assert await trail("18", record_id=kota["id"]) == [("bappeda", "household.read", "18"),
                                                           ("dinsos-1871", "household.create", "18.71")]

    async def test_the_trail_needs_admin(self, targeting, auth):
        assert_problem(await targeting.get("/api/v1/audit", headers=auth("18", WRITER)), 403)
