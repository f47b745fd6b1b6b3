"""Change requests: the whole life cycle, four eyes, stale approvals, frozen payloads, scoping and masking."""

from datetime import date

import pytest
from sqlalchemy import text

from tests.support import assert_problem
from tests.targeting import factories as f

OPERATOR = "registry:read registry:write pii:read"
VERIFIER = "registry:read registry:write pii:read"
APPROVER = "registry:read registry:approve pii:read"
URL = "/api/v1/change-requests"


@pytest.fixture
def desa(auth):
    return auth("18.71", OPERATOR, client_id="operator-desa-kedaton")


@pytest.fixture
def dinsos(auth):
    return auth("18.71", VERIFIER, client_id="dinsos-bandar-lampung")


@pytest.fixture
def kepala(auth):
    return auth("18.71", APPROVER, client_id="walikota-bandar-lampung")


async def submit(targeting, headers, **body):
    body.setdefault("reason", "Hasil musdes 12 Mei")
    response = await targeting.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def step(targeting, headers, request_id, action, note=None, status=200):
    response = await targeting.post(f"{URL}/{request_id}/{action}", json={"note": note} if note else {},
                                    headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def household(targeting, auth, **overrides):
    return await f.create(targeting, auth("18", "registry:read registry:write pii:read", client_id="seed"),
                          **overrides)


async def feed_requests(connection, entity_id):
    rows = await connection.execute(text(
        "SELECT type, change_request_id, client_id FROM targeting.registry_change WHERE entity_id = :e ORDER BY seq"),
        {"e": entity_id})
    return [tuple(str(v) if v is not None else None for v in row) for row in rows.all()]


class TestLifeCycle:
    async def test_a_new_household_is_submitted_verified_approved_and_created(self, targeting, desa, dinsos, kepala,
                                                                              connection):
        payload = f.household()
        created = await submit(targeting, desa, kind="new_household", payload=payload, source="musdes",
                               document_ref="BA-Musdes/Kedaton/2025/07")
        assert (created["status"], created["kind"], created["source"], created["region_code"]) == (
            "submitted", "new_household", "musdes", payload["region_code"])
        assert created["household_id"] is None and created["target_version"] is None
        assert created["payload"]["members"][0]["nik"] == payload["members"][0]["nik"]
        assert [(s["action"], s["by"], s["region"]) for s in created["history"]] == [
            ("submitted", "operator-desa-kedaton", "18.71")]

        verified = await step(targeting, dinsos, created["id"], "verify", "Dicek ke rumah")
        assert verified["status"] == "verified" and verified["household_id"] is None
        approved = await step(targeting, kepala, created["id"], "approve", "Ditetapkan")
        assert approved["status"] == "approved"
        assert [(s["action"], s["by"], s["note"]) for s in approved["history"]] == [
            ("submitted", "operator-desa-kedaton", None), ("verified", "dinsos-bandar-lampung", "Dicek ke rumah"),
            ("approved", "walikota-bandar-lampung", "Ditetapkan")]
        assert all(s["at"] for s in approved["history"])

        registered = await targeting.get(f"/api/v1/households/{approved['household_id']}", headers=kepala)
        assert registered.status_code == 200 and registered.json()["no_kk"] == payload["no_kk"]
        assert len(registered.json()["members"]) == 3
        changes = await feed_requests(connection, approved["household_id"])
        assert changes == [("household.created", created["id"], "walikota-bandar-lampung")]
        source = (await connection.execute(text("SELECT source FROM targeting.household WHERE id = :h"),
                                           {"h": approved["household_id"]})).scalar_one()
        assert source == "change_request"

    async def test_an_update_changes_only_the_fields_sent(self, targeting, auth, desa, dinsos, kepala, connection):
        target = await household(targeting, auth)
        created = await submit(targeting, desa, kind="update_household", household_id=target["id"],
                               payload={"welfare_decile": 3, "housing": {"floor": "ceramic"}})
        assert created["target_version"] == 1 and created["region_code"] == target["region_code"]
        assert created["payload"] == {"welfare_decile": 3, "housing": {"floor": "ceramic"}}
        await step(targeting, dinsos, created["id"], "verify")
        await step(targeting, kepala, created["id"], "approve")
        after = (await targeting.get(f"/api/v1/households/{target['id']}", headers=kepala)).json()
        assert after["welfare_decile"] == 3 and after["housing"]["floor"] == "ceramic" and after["version"] == 2
        assert after["housing"]["wall"] == target["housing"]["wall"] and after["extreme_poor"] is True
        assert (await feed_requests(connection, target["id"]))[-1] == (
            "household.updated", created["id"], "walikota-bandar-lampung")

    async def test_a_deactivation(self, targeting, auth, desa, dinsos, kepala):
        target = await household(targeting, auth)
        created = await submit(targeting, desa, kind="deactivate_household", household_id=target["id"],
                               payload={"reason": "deceased"})
        await step(targeting, dinsos, created["id"], "verify")
        await step(targeting, kepala, created["id"], "approve")
        after = (await targeting.get(f"/api/v1/households/{target['id']}", headers=kepala)).json()
        assert (after["status"], after["inactive_reason"]) == ("inactive", "deceased")

    async def test_a_new_member_and_a_member_update(self, targeting, auth, desa, dinsos, kepala, connection):
        target = await household(targeting, auth)
        baby = f.member("grandchild", born=date(2024, 12, 1), sex="F")
        added = await submit(targeting, desa, kind="add_member", household_id=target["id"], payload=baby,
                             source="citizen")
        await step(targeting, dinsos, added["id"], "verify")
        added = await step(targeting, kepala, added["id"], "approve")
        assert added["member_id"] is not None
        assert await feed_requests(connection, added["member_id"]) == [
            ("member.created", added["id"], "walikota-bandar-lampung")]

        child = target["members"][2]
        update = await submit(targeting, desa, kind="update_member", household_id=target["id"],
                              member_id=child["id"], payload={"school_participation": "enrolled"})
        assert update["target_version"] == child["version"]
        await step(targeting, dinsos, update["id"], "verify")
        await step(targeting, kepala, update["id"], "approve")
        after = (await targeting.get(f"/api/v1/households/{target['id']}", headers=kepala)).json()
        members = {m["id"]: m for m in after["members"]}
        assert members[child["id"]]["school_participation"] == "enrolled" and members[child["id"]]["version"] == 2
        assert members[added["member_id"]]["relationship"] == "grandchild" and len(members) == 4

    async def test_a_rejection_needs_a_note_and_applies_nothing(self, targeting, auth, desa, dinsos, kepala):
        target = await household(targeting, auth)
        created = await submit(targeting, desa, kind="update_household", household_id=target["id"],
                               payload={"welfare_decile": 9})
        problem = assert_problem(await targeting.post(f"{URL}/{created['id']}/reject", json={}, headers=dinsos),
                                 422, "invalid-change-request")
        assert problem["errors"] == [{"pointer": "/note", "detail": "required to reject"}]
        rejected = await step(targeting, dinsos, created["id"], "reject", "Tidak ditemukan di alamat")
        assert rejected["status"] == "rejected" and rejected["history"][-1]["note"] == "Tidak ditemukan di alamat"
        after = (await targeting.get(f"/api/v1/households/{target['id']}", headers=kepala)).json()
        assert after["welfare_decile"] == target["welfare_decile"] and after["version"] == 1


class TestFourEyes:
    async def test_the_submitter_cannot_approve(self, targeting, auth, dinsos):
        everything = auth("18.71", "registry:read registry:write registry:approve", client_id="one-person")
        created = await submit(targeting, everything, kind="new_household", payload=f.household())
        await step(targeting, dinsos, created["id"], "verify")
        assert_problem(await targeting.post(f"{URL}/{created['id']}/approve", json={}, headers=everything),
                       403, "self-approval")
        still = (await targeting.get(f"{URL}/{created['id']}", headers=dinsos)).json()
        assert still["status"] == "verified" and still["household_id"] is None

    async def test_each_step_needs_its_scope(self, targeting, auth, desa, dinsos):
        reader = auth("18.71", "registry:read", client_id="viewer")
        assert_problem(await targeting.post(URL, json={"kind": "new_household", "payload": f.household(),
                                                       "reason": "x"}, headers=reader), 403)
        created = await submit(targeting, desa, kind="new_household", payload=f.household())
        assert_problem(await targeting.post(f"{URL}/{created['id']}/verify", json={}, headers=reader), 403)
        await step(targeting, dinsos, created["id"], "verify")
        assert_problem(await targeting.post(f"{URL}/{created['id']}/approve", json={}, headers=dinsos), 403)
        assert_problem(await targeting.post(f"{URL}/{created['id']}/reject", json={"note": "no"}, headers=dinsos),
                       403)


class TestStaleApproval:
    async def test_a_household_changed_after_submission_is_refused_not_overwritten(self, targeting, auth, desa,
                                                                                     dinsos, kepala):
        target = await household(targeting, auth)
        created = await submit(targeting, desa, kind="update_household", household_id=target["id"],
                               payload={"welfare_decile": 3})
        await step(targeting, dinsos, created["id"], "verify")
        await targeting.patch(f"/api/v1/households/{target['id']}", json={"welfare_decile": 5},
                              headers=auth() | {"If-Match": '"1"'})
        problem = assert_problem(await targeting.post(f"{URL}/{created['id']}/approve", json={}, headers=kepala),
                                 409, "change-request-stale")
        assert "version 1" in problem["detail"]
        after = (await targeting.get(f"/api/v1/households/{target['id']}", headers=kepala)).json()
        assert after["welfare_decile"] == 5 and after["version"] == 2
        assert (await targeting.get(f"{URL}/{created['id']}", headers=kepala)).json()["status"] == "verified"
        assert (await step(targeting, kepala, created["id"], "reject", "Data sudah berubah"))["status"] == "rejected"

    async def test_a_member_changed_after_submission_is_refused(self, targeting, auth, desa, dinsos, kepala):
        target = await household(targeting, auth)
        child = target["members"][2]
        created = await submit(targeting, desa, kind="update_member", household_id=target["id"],
                               member_id=child["id"], payload={"school_participation": "enrolled"})
        await step(targeting, dinsos, created["id"], "verify")
        await targeting.patch(f"/api/v1/households/{target['id']}/members/{child['id']}", json={"pregnant": False,
                              "occupation": "student"}, headers=auth() | {"If-Match": '"1"'})
        assert_problem(await targeting.post(f"{URL}/{created['id']}/approve", json={}, headers=kepala),
                       409, "change-request-stale")

    async def test_a_household_moved_out_of_the_region_is_refused(self, targeting, auth, desa, dinsos, kepala):
        target = await household(targeting, auth)
        created = await submit(targeting, desa, kind="add_member", household_id=target["id"],
                               payload=f.member("grandchild"))
        await step(targeting, dinsos, created["id"], "verify")
        await targeting.patch(f"/api/v1/households/{target['id']}", json={"region_code": f.LAMPUNG_SELATAN_VILLAGE},
                              headers=auth() | {"If-Match": '"1"'})
        assert_problem(await targeting.post(f"{URL}/{created['id']}/approve", json={}, headers=kepala),
                       409, "change-request-stale")

    async def test_a_registry_rule_failing_at_approval_leaves_the_request_verified(self, targeting, auth, desa,
                                                                                    dinsos, kepala):
        payload = f.household()
        created = await submit(targeting, desa, kind="new_household", payload=payload)
        await step(targeting, dinsos, created["id"], "verify")
        await household(targeting, auth, no_kk=payload["no_kk"])
        assert_problem(await targeting.post(f"{URL}/{created['id']}/approve", json={}, headers=kepala),
                       409, "no-kk-taken")
        assert (await targeting.get(f"{URL}/{created['id']}", headers=kepala)).json()["status"] == "verified"


class TestTransitions:
    @pytest.mark.parametrize(("path", "action"), [
        ([], "approve"),
        (["verify"], "verify"),
        (["verify", "approve"], "verify"),
        (["verify", "approve"], "approve"),
        (["verify", "approve"], "reject"),
        (["reject"], "verify"),
        (["reject"], "approve"),
        (["verify", "reject"], "reject"),
    ])
    async def test_illegal_steps_are_409_and_change_nothing(self, targeting, desa, dinsos, kepala, path, action):
        created = await submit(targeting, desa, kind="new_household", payload=f.household())
        for taken in path:
            await step(targeting, kepala if taken in ("approve", "reject") else dinsos, created["id"], taken, "ok")
        before = (await targeting.get(f"{URL}/{created['id']}", headers=kepala)).json()
        problem = assert_problem(await targeting.post(f"{URL}/{created['id']}/{action}", json={"note": "again"},
                                                      headers=kepala if action != "verify" else dinsos),
                                 409, "change-request-transition")
        assert problem["status"] == 409
        assert (await targeting.get(f"{URL}/{created['id']}", headers=kepala)).json() == before


class TestSubmission:
    @pytest.mark.parametrize(("kind", "change", "pointer", "code"), [
        ("new_household", lambda p: p["members"][0].update(nik="1871011708850000"), "/payload/members/0/nik",
         "nik_serial_zero"),
        ("new_household", lambda p: p.update(colour="blue"), "/payload/colour", "extra_forbidden"),
        ("new_household", lambda p: p.update(welfare_decile=11), "/payload/welfare_decile", "less_than_equal"),
        ("new_household", lambda p: p["members"].append(f.member("head")), "/payload/members", "head_count"),
    ])
    async def test_the_payload_is_validated_by_the_direct_endpoint_schema(self, targeting, desa, connection,
                                                                          kind, change, pointer, code):
        payload = f.household()
        change(payload)
        problem = assert_problem(await targeting.post(URL, json={"kind": kind, "payload": payload, "reason": "x"},
                                                      headers=desa), 422, "invalid-change-request")
        assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [(pointer, code)]
        assert (await connection.execute(text("SELECT count(*) FROM targeting.change_request"))).scalar_one() == 0

    async def test_update_payloads_use_their_own_schemas(self, targeting, auth, desa):
        target = await household(targeting, auth)
        for kind, payload, pointer in [("update_household", {"no_kk": "12"}, "/payload/no_kk"),
                                       ("deactivate_household", {"reason": "bored"}, "/payload/reason"),
                                       ("add_member", {"nik": "1"}, "/payload/nik"),
                                       ("update_household", {"status": "inactive"}, "/payload/status")]:
            problem = assert_problem(await targeting.post(URL, json={
                "kind": kind, "household_id": target["id"], "payload": payload, "reason": "x"}, headers=desa), 422)
            assert pointer in [e["pointer"] for e in problem["errors"]]

    @pytest.mark.parametrize(("body", "pointer"), [
        ({"kind": "update_household", "payload": {"welfare_decile": 2}}, "/household_id"),
        ({"kind": "new_household", "household_id": "00000000-0000-7000-8000-000000000001"}, "/household_id"),
        ({"kind": "update_member", "household_id": "00000000-0000-7000-8000-000000000001",
          "payload": {"pregnant": True}}, "/member_id"),
        ({"kind": "update_household", "household_id": "00000000-0000-7000-8000-000000000001", "payload": {}},
         "/payload"),
    ])
    async def test_the_target_must_fit_the_kind(self, targeting, desa, body, pointer):
        body = {"payload": f.household(), "reason": "x"} | body
        problem = assert_problem(await targeting.post(URL, json=body, headers=desa), 422, "invalid-change-request")
        assert [e["pointer"] for e in problem["errors"]] == [pointer]

    async def test_an_unknown_or_inactive_target_is_refused(self, targeting, auth, desa):
        assert_problem(await targeting.post(URL, headers=desa, json={
            "kind": "update_household", "household_id": "00000000-0000-7000-8000-000000000001",
            "payload": {"welfare_decile": 2}, "reason": "x"}), 404, "household-not-found")
        target = await household(targeting, auth)
        assert_problem(await targeting.post(URL, headers=desa, json={
            "kind": "update_member", "household_id": target["id"], "member_id": "00000000-0000-7000-8000-000000000001",
            "payload": {"pregnant": True}, "reason": "x"}), 404, "member-not-found")
        await targeting.post(f"/api/v1/households/{target['id']}/deactivate", json={"reason": "moved"},
                             headers=auth())
        assert_problem(await targeting.post(URL, headers=desa, json={
            "kind": "add_member", "household_id": target["id"], "payload": f.member("child"), "reason": "x"}),
            409, "household-inactive")

    async def test_the_payload_is_frozen(self, targeting, auth, desa, dinsos, kepala, connection):
        payload = f.household()
        payload["address"] = "  Jl. Teuku Umar No. 1  "
        created = await submit(targeting, desa, kind="new_household", payload=payload)
        stored = (await connection.execute(text("SELECT payload FROM targeting.change_request WHERE id = :i"),
                                           {"i": created["id"]})).scalar_one()
        assert stored["address"] == "Jl. Teuku Umar No. 1" and stored == created["payload"]
        for method in ("PATCH", "PUT", "DELETE"):
            assert_problem(await targeting.request(method, f"{URL}/{created['id']}", json={"payload": {}},
                                                   headers=desa), 405)
        await step(targeting, dinsos, created["id"], "verify")
        await step(targeting, kepala, created["id"], "approve")
        assert (await connection.execute(text("SELECT payload FROM targeting.change_request WHERE id = :i"),
                                         {"i": created["id"]})).scalar_one() == stored

    async def test_a_retry_with_the_same_key_submits_once(self, targeting, desa, connection):
        body = {"kind": "new_household", "payload": f.household(), "reason": "x"}
        headers = desa | {"Idempotency-Key": "usulan-1"}
        first = await targeting.post(URL, json=body, headers=headers)
        again = await targeting.post(URL, json=body, headers=headers)
        assert first.status_code == again.status_code == 201 and again.json() == first.json()
        assert first.headers["location"] == f"{URL}/{first.json()['id']}"
        assert (await connection.execute(text("SELECT count(*) FROM targeting.change_request"))).scalar_one() == 1


class TestScopingAndMasking:
    async def test_a_request_outside_the_token_region_does_not_exist_for_it(self, targeting, auth, desa):
        selatan = auth("18.01", OPERATOR, client_id="operator-natar")
        target = await household(targeting, auth, region_code=f.LAMPUNG_SELATAN_VILLAGE)
        theirs = await submit(targeting, selatan, kind="update_household", household_id=target["id"],
                              payload={"welfare_decile": 2})
        mine = await submit(targeting, desa, kind="new_household", payload=f.household())
        kota = auth("18.71", "registry:read registry:write registry:approve", client_id="kota")
        assert_problem(await targeting.get(f"{URL}/{theirs['id']}", headers=kota), 404, "change-request-not-found")
        for action in ("verify", "approve", "reject"):
            assert_problem(await targeting.post(f"{URL}/{theirs['id']}/{action}", json={"note": "x"}, headers=kota),
                           404, "change-request-not-found")
        listed = (await targeting.get(URL, headers=kota)).json()["items"]
        assert [r["id"] for r in listed] == [mine["id"]]
        assert_problem(await targeting.get(URL, params={"region": "18.01"}, headers=kota), 403)
        province = (await targeting.get(URL, params={"region": "18"}, headers=auth())).json()["items"]
        assert {r["id"] for r in province} == {mine["id"], theirs["id"]}

    async def test_submitting_outside_the_region_is_refused(self, targeting, auth, desa):
        target = await household(targeting, auth, region_code=f.LAMPUNG_SELATAN_VILLAGE)
        assert_problem(await targeting.post(URL, headers=desa, json={
            "kind": "update_household", "household_id": target["id"], "payload": {"welfare_decile": 2},
            "reason": "x"}), 404, "household-not-found")
        problem = assert_problem(await targeting.post(URL, headers=desa, json={
            "kind": "new_household", "payload": f.household(f.LAMPUNG_SELATAN_VILLAGE), "reason": "x"}),
            403, "region-outside-scope")
        assert problem["errors"][0]["pointer"] == "/payload/region_code"
        mine = await household(targeting, auth)
        assert_problem(await targeting.post(URL, headers=desa, json={
            "kind": "update_household", "household_id": mine["id"],
            "payload": {"region_code": f.LAMPUNG_SELATAN_VILLAGE}, "reason": "x"}), 403, "region-outside-scope")

    async def test_filters_and_pages(self, targeting, auth, desa, dinsos):
        made = [await submit(targeting, desa, kind="new_household", payload=f.household()) for _ in range(3)]
        await step(targeting, dinsos, made[1]["id"], "verify")
        verified = (await targeting.get(URL, params={"status": "verified"}, headers=dinsos)).json()["items"]
        assert [r["id"] for r in verified] == [made[1]["id"]]
        assert (await targeting.get(URL, params={"kind": "add_member"}, headers=dinsos)).json()["items"] == []
        seen, cursor = [], None
        while True:
            page = (await targeting.get(URL, params={"limit": 2} | ({"cursor": cursor} if cursor else {}),
                                        headers=dinsos)).json()
            seen += [r["id"] for r in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [m["id"] for m in made]

    async def test_without_pii_read_the_payload_is_masked(self, targeting, auth, desa):
        payload = f.household()
        created = await submit(targeting, desa, kind="new_household", payload=payload)
        masked = (await targeting.get(f"{URL}/{created['id']}", headers=auth("18.71", "registry:read"))).json()
        assert masked["payload"]["no_kk"] == "************" + payload["no_kk"][-4:]
        assert masked["payload"]["address"] is None
        head = masked["payload"]["members"][0]
        assert head["nik"] == "************" + payload["members"][0]["nik"][-4:] and head["name"] == "B. S."
        listed = (await targeting.get(URL, headers=auth("18.71", "registry:read"))).json()["items"]
        assert listed[0]["payload"]["members"][1]["name"] == "S. A."
        submitted_masked = await submit(targeting, auth("18.71", "registry:read registry:write"),
                                        kind="new_household", payload=f.household())
        assert submitted_masked["payload"]["members"][0]["nik"].startswith("************")

    async def test_without_pii_read_the_reason_and_notes_are_omitted(self, targeting, auth, desa, dinsos):
        created = await submit(targeting, desa, kind="new_household", payload=f.household(),
                               reason="Keluarga Budi Santoso, NIK 1871011708850001, pindah dari Natar")
        await step(targeting, dinsos, created["id"], "verify", note="Dicek ke rumah Budi Santoso")
        full = (await targeting.get(f"{URL}/{created['id']}", headers=desa)).json()
        assert full["reason"].startswith("Keluarga Budi") and full["history"][1]["note"].endswith("Budi Santoso")
        masked = (await targeting.get(f"{URL}/{created['id']}", headers=auth("18.71", "registry:read"))).json()
        assert masked["reason"] is None and [s["note"] for s in masked["history"]] == [None, None]
        listed = (await targeting.get(URL, headers=auth("18.71", "registry:read"))).json()["items"]
        assert "Budi" not in str(listed) and "1871011708850001" not in str(listed)
