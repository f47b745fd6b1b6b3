import uuid

import httpx
import pytest
from sqlalchemy import text

from kit.http import create_http_client
from tests.programs.factories import agency_program, enrol, ids
from tests.support import assert_problem
from tests.targeting.factories import HouseholdRow, insert_households

KOTA = "18.71.01.1003"        # Kedaton, Kota Bandar Lampung
KOTA_OTHER = "18.71.02.1003"  # Sukarame, Kota Bandar Lampung
LAMSEL = "18.01.04.2001"      # Hajimena, Lampung Selatan
NO_PII = "programs:read programs:write registry:read"


async def _enrolled(programs, headers, program_id):
    return (await programs.get(f"/api/v1/programs/{program_id}/enrollments", params={"limit": 1000},
                               headers=headers)).json()["items"]


class TestEnrolHouseholds:
    async def test_enrols_households_after_one_bulk_lookup_under_the_callers_token(self, programs, auth, registry):
        households = [await registry.add(KOTA) for _ in range(3)]
        program = await agency_program(programs, auth("18.71"))
        response = await enrol(programs, auth("18.71", client_id="kab-bdl"), program["id"],
                               household_ids=ids(*households))
        assert response.status_code == 200, response.text
        assert response.json() == {"enrolled": 3, "already_enrolled": 0, "rejected": [], "off_target": 0}
        assert [(c.region, c.body) for c in registry.lookups()] == [("18.71", {"household_ids": ids(*households)})]
        rows = await _enrolled(programs, auth("18.71"), program["id"])
        assert [r["household_id"] for r in rows] == ids(*households)
        assert {(r["region_code"], r["enrolled_by"], r["member_id"]) for r in rows} == {(KOTA, "kab-bdl", None)}
        totals = (await programs.get(f"/api/v1/programs/{program['id']}", headers=auth("18.71"))).json()
        assert totals["enrolled"] == 3 and totals["reached"] == 0

    async def test_unknown_households_and_those_outside_the_token_region_are_not_found(self, programs, auth, registry):
        elsewhere = await registry.add(LAMSEL)
        program = await agency_program(programs, auth("18.71"))
        unknown = str(uuid.uuid4())
        response = await enrol(programs, auth("18.71"), program["id"], household_ids=[unknown, str(elsewhere.id)])
        assert response.json() == {"enrolled": 0, "already_enrolled": 0, "off_target": 0, "rejected": [
            {"index": 0, "ref": unknown, "reason": "not_found"},
            {"index": 1, "ref": str(elsewhere.id), "reason": "not_found"},
        ]}

    async def test_inactive_households_are_refused(self, programs, auth, registry):
        gone = await registry.add(KOTA, status="inactive")
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(), program["id"], household_ids=ids(gone))
        assert response.json()["rejected"] == [{"index": 0, "ref": str(gone.id), "reason": "inactive"}]

    async def test_households_outside_the_agency_region_are_out_of_scope(self, programs, auth, registry):
        elsewhere = await registry.add(LAMSEL)
        program = await agency_program(programs, auth("18"), "18.71")
        response = await enrol(programs, auth("18"), program["id"], household_ids=ids(elsewhere))
        assert response.json()["rejected"] == [{"index": 0, "ref": str(elsewhere.id), "reason": "out_of_scope"}]

    async def test_households_outside_every_priority_area_are_refused(self, programs, auth, registry):
        inside, outside = await registry.add(KOTA), await registry.add(KOTA_OTHER)
        program = await agency_program(programs, auth(), priority_areas=["18.71.01", "18.71.03.1001"])
        response = await enrol(programs, auth(), program["id"], household_ids=ids(inside, outside))
        assert response.json() == {"enrolled": 1, "already_enrolled": 0, "off_target": 0, "rejected": [
            {"index": 1, "ref": str(outside.id), "reason": "outside_priority_areas"}]}

    async def test_a_batch_mixing_good_and_bad_refs_enrols_the_good_ones(self, programs, auth, registry):
        good = [await registry.add(KOTA) for _ in range(2)]
        before = await registry.add(KOTA)
        inactive = await registry.add(KOTA, status="inactive")
        outside_area, outside = await registry.add(KOTA_OTHER), await registry.add(LAMSEL)
        program = await agency_program(programs, auth("18.71"), priority_areas=["18.71.01"])
        await enrol(programs, auth("18.71"), program["id"], household_ids=ids(before))
        unknown = str(uuid.uuid4())
        refs = [*ids(good[0], inactive, before, outside_area), unknown, *ids(good[1], outside, good[0])]
        response = await enrol(programs, auth("18.71"), program["id"], household_ids=refs)
        assert response.json() == {"enrolled": 2, "already_enrolled": 1, "off_target": 0, "rejected": [
            {"index": 1, "ref": str(inactive.id), "reason": "inactive"},
            {"index": 3, "ref": str(outside_area.id), "reason": "outside_priority_areas"},
            {"index": 4, "ref": unknown, "reason": "not_found"},
            {"index": 6, "ref": str(outside.id), "reason": "not_found"},
        ]}
        enrolled = {r["household_id"] for r in await _enrolled(programs, auth("18.71"), program["id"])}
        assert enrolled == set(ids(*good, before))

    async def test_enrolling_again_changes_nothing(self, programs, auth, registry, connection):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        again = await enrol(programs, auth(), program["id"], household_ids=ids(household))
        assert again.json() == {"enrolled": 0, "already_enrolled": 1, "rejected": [], "off_target": 0}
        entries = await connection.scalar(text(
            "SELECT count(*) FROM programs.feed_entry WHERE type = 'enrollment.created' AND data->>'program_id' = :p"
        ), {"p": program["id"]})
        assert entries == 1

    async def test_more_than_10000_refs_are_422(self, programs, auth, registry):
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(), program["id"], household_ids=[str(uuid.uuid4())] * 10_001)
        assert_problem(response, 422, "validation")
        assert registry.calls == []

    @pytest.mark.parametrize("body", [{}, {"household_ids": [], "niks": ["1871010101800001"]},
                                      {"household_ids": ["00000000-0000-0000-0000-000000000001"],
                                       "target_list_id": "00000000-0000-0000-0000-000000000001"}])
    async def test_exactly_one_source_of_refs(self, programs, auth, registry, body):
        program = await agency_program(programs, auth())
        assert_problem(await enrol(programs, auth(), program["id"], **body), 422, "validation")

    async def test_a_malformed_household_id_is_422_with_pointer(self, programs, auth, registry):
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(), program["id"], household_ids=[str(uuid.uuid4()), "nope"])
        assert assert_problem(response, 422, "validation")["errors"][0]["pointer"] == "/household_ids/1"


class TestOffTarget:
    async def test_households_failing_the_criteria_are_enrolled_and_counted_off_target(self, programs, auth, registry):
        poor, better_off = await registry.add(KOTA, welfare_decile=2), await registry.add(KOTA, welfare_decile=7)
        criteria = {"all": [{"field": "welfare_decile", "op": "lte", "value": 4}]}
        program = await agency_program(programs, auth(), criteria=criteria)
        response = await enrol(programs, auth(), program["id"], household_ids=ids(poor, better_off))
        assert response.json() == {"enrolled": 2, "already_enrolled": 0, "rejected": [], "off_target": 1}
        assert registry.lookups()[0].body["criteria"] == criteria
        rows = await _enrolled(programs, auth(), program["id"])
        assert {r["household_id"]: r["matches_criteria"] for r in rows} == {str(poor.id): True,
                                                                           str(better_off.id): False}

    async def test_off_target_counts_only_new_enrolments_in_a_mixed_batch(self, programs, auth, registry):
        before = await registry.add(KOTA, extreme_poor=False)
        fits, misses = await registry.add(KOTA), await registry.add(KOTA, extreme_poor=False)
        gone = await registry.add(KOTA, status="inactive", extreme_poor=False)
        program = await agency_program(programs, auth(), criteria={"field": "extreme_poor", "op": "eq",
                                                                   "value": True})
        await enrol(programs, auth(), program["id"], household_ids=ids(before))
        response = await enrol(programs, auth(), program["id"], household_ids=ids(before, fits, misses, gone))
        assert response.json() == {"enrolled": 2, "already_enrolled": 1, "off_target": 1, "rejected": [
            {"index": 3, "ref": str(gone.id), "reason": "inactive"}]}

    async def test_a_member_criterion_is_evaluated_by_the_registry(self, programs, auth, registry):
        family, single = await registry.add(KOTA, members=3), await registry.add(KOTA, members=1)
        program = await agency_program(programs, auth(), criteria={"field": "member_count", "op": "gte",
                                                                   "value": 3})
        response = await enrol(programs, auth(), program["id"], household_ids=ids(family, single))
        assert response.json() == {"enrolled": 2, "already_enrolled": 0, "rejected": [], "off_target": 1}
        rows = await _enrolled(programs, auth(), program["id"])
        assert {r["household_id"]: r["matches_criteria"] for r in rows} == {str(family.id): True,
                                                                           str(single.id): False}

    async def test_without_criteria_nothing_is_off_target_and_none_is_asked(self, programs, auth, registry):
        household = await registry.add(KOTA, welfare_decile=9)
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(), program["id"], household_ids=ids(household))
        assert response.json()["off_target"] == 0 and "criteria" not in registry.lookups()[0].body
        assert (await _enrolled(programs, auth(), program["id"]))[0]["matches_criteria"] is None


class TestEnrolByNik:
    async def test_a_person_programme_enrols_members(self, programs, auth, registry):
        family = await registry.add(KOTA, members=2)
        program = await agency_program(programs, auth(), unit="person", sector="health")
        response = await enrol(programs, auth(), program["id"], niks=[family.nik(0), family.nik(1)])
        assert response.json() == {"enrolled": 2, "already_enrolled": 0, "rejected": [], "off_target": 0}
        rows = await _enrolled(programs, auth(), program["id"])
        assert {r["member_id"] for r in rows} == {str(m) for m in family.members.values()}
        assert {r["household_id"] for r in rows} == {str(family.id)}
        assert registry.lookups()[0].body == {"niks": [family.nik(0), family.nik(1)]}

    async def test_a_person_programme_refuses_household_ids_and_target_lists(self, programs, auth, registry):
        program = await agency_program(programs, auth(), unit="person")
        by_household = await enrol(programs, auth(), program["id"], household_ids=[str(uuid.uuid4())])
        by_list = await enrol(programs, auth(), program["id"], target_list_id=str(uuid.uuid4()))
        assert assert_problem(by_household, 422, "enrollment-unit-mismatch")["errors"][0]["pointer"] == "/household_ids"
        assert assert_problem(by_list, 422, "enrollment-unit-mismatch")["errors"][0]["pointer"] == "/target_list_id"
        assert registry.calls == []

    async def test_a_household_programme_given_niks_enrols_their_households_once(self, programs, auth, registry):
        family = await registry.add(KOTA, members=2)
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(), program["id"], niks=[family.nik(0), family.nik(1)])
        assert response.json() == {"enrolled": 1, "already_enrolled": 1, "rejected": [], "off_target": 0}
        rows = await _enrolled(programs, auth(), program["id"])
        assert [(r["household_id"], r["member_id"]) for r in rows] == [(str(family.id), None)]

    async def test_members_of_inactive_households_are_refused(self, programs, auth, registry):
        family = await registry.add(KOTA, members=2, status="inactive")
        program = await agency_program(programs, auth(), unit="person")
        response = await enrol(programs, auth(), program["id"], niks=[family.nik(1)])
        assert [r["reason"] for r in response.json()["rejected"]] == ["inactive"]

    async def test_refused_niks_are_masked_without_pii_read(self, programs, auth, registry):
        program = await agency_program(programs, auth(), unit="person")
        nik = "1871010101900099"
        masked = await enrol(programs, auth(scopes=NO_PII), program["id"], niks=[nik])
        shown = await enrol(programs, auth(), program["id"], niks=[nik])
        assert masked.json()["rejected"] == [{"index": 0, "ref": "************0099", "reason": "not_found"}]
        assert shown.json()["rejected"] == [{"index": 0, "ref": nik, "reason": "not_found"}]


async def _target_list(targeting, headers, region: str, decile: int) -> str:
    """A target list drawn by the real targeting service: the active households of `region` with `decile`."""
    response = await targeting.post("/api/v1/target-lists", headers=headers, json={
        "name": "enrolment test", "region": region,
        "criteria": {"field": "welfare_decile", "op": "eq", "value": decile}})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestEnrolTargetList:
    async def test_enrols_every_household_of_a_target_list_across_its_pages(
            self, programs, targeting, auth, registry, connection):
        rows = await insert_households(connection, [HouseholdRow(KOTA, welfare_decile=3) for _ in range(2500)])
        list_id = await _target_list(targeting, auth("18.71"), "18.71", 3)
        # The list is frozen; a household deactivated after it was drawn is refused at enrolment.
        in_list_order = sorted(rows, key=lambda r: r.id)
        gone = in_list_order[7]
        await connection.execute(text("UPDATE targeting.household SET status = 'inactive', inactive_reason = 'moved' "
                                      "WHERE id = :id"), {"id": gone.id})
        program = await agency_program(programs, auth("18.71"))
        response = await enrol(programs, auth("18.71"), program["id"], target_list_id=list_id)
        assert response.json() == {"enrolled": 2499, "already_enrolled": 0, "off_target": 0, "rejected": [
            {"index": 7, "ref": str(gone.id), "reason": "inactive"}]}
        pages = [c for c in registry.calls if c.method == "GET"]
        assert len(pages) == 3 and all(c.path == f"/api/v1/target-lists/{list_id}/households" for c in pages)
        assert [len(c.body["household_ids"]) for c in registry.lookups()] == [2500]

    async def test_an_unknown_or_foreign_target_list_is_422_with_pointer(
            self, programs, targeting, auth, registry, connection):
        await insert_households(connection, [HouseholdRow(LAMSEL, welfare_decile=3)])
        foreign = await _target_list(targeting, auth("18.01"), "18.01", 3)
        program = await agency_program(programs, auth("18.71"))
        for list_id in (str(uuid.uuid4()), foreign):
            response = await enrol(programs, auth("18.71"), program["id"], target_list_id=list_id)
            body = assert_problem(response, 422, "unknown-target-list")
            assert body["errors"][0]["pointer"] == "/target_list_id"


class TestEnrolmentScope:
    async def test_a_district_cannot_enrol_into_another_districts_programme(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth("18.01"), "18.01")
        response = await enrol(programs, auth("18.71"), program["id"], household_ids=ids(household))
        assert_problem(response, 404, "program-not-found")
        assert registry.lookups() == []

    async def test_a_district_cannot_enrol_into_a_provincial_programme(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth("18"), "18")
        response = await enrol(programs, auth("18.71"), program["id"], household_ids=ids(household))
        assert_problem(response, 403, "program-read-only")

    async def test_a_district_reads_only_its_own_households_of_a_provincial_programme(self, programs, auth, registry):
        kota, lamsel = await registry.add(KOTA), await registry.add(LAMSEL)
        program = await agency_program(programs, auth("18"), "18")
        await enrol(programs, auth("18"), program["id"], household_ids=ids(kota, lamsel))
        district = auth("18.71", scopes="programs:read")
        assert [r["household_id"] for r in await _enrolled(programs, district, program["id"])] == ids(kota)
        read = (await programs.get(f"/api/v1/programs/{program['id']}", headers=district)).json()
        assert read["enrolled"] == 1
        assert (await programs.get(f"/api/v1/programs/{program['id']}", headers=auth("18"))).json()["enrolled"] == 2

    async def test_listing_another_districts_enrolments_is_404(self, programs, auth):
        program = await agency_program(programs, auth("18.01"), "18.01")
        response = await programs.get(f"/api/v1/programs/{program['id']}/enrollments", headers=auth("18.71"))
        assert_problem(response, 404, "program-not-found")

    async def test_a_closed_programme_takes_no_enrolments(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth(), status="closed")
        response = await enrol(programs, auth(), program["id"], household_ids=ids(household))
        assert_problem(response, 409, "program-closed")

    async def test_a_token_without_registry_access_is_refused_by_the_registry(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(scopes="programs:read programs:write"), program["id"],
                               household_ids=ids(household))
        assert_problem(response, 403, "registry-forbidden")
        assert await _enrolled(programs, auth(), program["id"]) == []


class TestRegistryDown:
    @pytest.fixture
    async def unreachable(self, apps):
        """The registry client pointed at a port nothing listens on, as when the targeting service is down."""
        state = apps.programs.state
        original = state.registry_http
        state.registry_http = create_http_client(base_url="http://127.0.0.1:9", connect_timeout=1.0)
        try:
            yield
        finally:
            await state.registry_http.aclose()
            state.registry_http = original

    async def test_enrolment_answers_503_and_changes_nothing(self, programs, auth, unreachable, connection):
        program = await agency_program(programs, auth())
        seq = await connection.scalar(text("SELECT coalesce(max(seq), 0) FROM programs.feed_entry"))
        headers = auth() | {"Idempotency-Key": "retry-me"}
        response = await enrol(programs, headers, program["id"], household_ids=[str(uuid.uuid4())])
        assert_problem(response, 503, "registry-unavailable")
        assert response.headers["retry-after"]
        assert await _enrolled(programs, auth(), program["id"]) == []
        assert await connection.scalar(text("SELECT count(*) FROM programs.feed_entry WHERE seq > :s"), {"s": seq}) == 0
        keys = await connection.scalar(text("SELECT count(*) FROM programs.idempotency_key WHERE key = 'retry-me'"))
        assert keys == 0

    @pytest.fixture
    async def failing(self, apps):
        """The registry client pointed at a server that answers every request with a 500."""
        state = apps.programs.state
        original = state.registry_http
        state.registry_http = httpx.AsyncClient(base_url="http://targeting", transport=httpx.MockTransport(
            lambda _request: httpx.Response(500, json={"detail": "failing on purpose"})))
        try:
            yield
        finally:
            await state.registry_http.aclose()
            state.registry_http = original

    async def test_a_failing_registry_is_503_too(self, programs, auth, failing):
        program = await agency_program(programs, auth())
        response = await enrol(programs, auth(), program["id"], household_ids=[str(uuid.uuid4())])
        assert_problem(response, 503, "registry-unavailable")
        assert await _enrolled(programs, auth(), program["id"]) == []


class TestEnrolmentIdempotency:
    async def test_a_replay_answers_the_first_result_without_asking_the_registry_again(self, programs, auth, registry):
        household = await registry.add(KOTA)
        program = await agency_program(programs, auth())
        headers = auth() | {"Idempotency-Key": "batch-0001"}
        first = await enrol(programs, headers, program["id"], household_ids=ids(household))
        again = await enrol(programs, headers, program["id"], household_ids=ids(household))
        assert again.json() == first.json() == {"enrolled": 1, "already_enrolled": 0, "rejected": [], "off_target": 0}
        assert again.headers["idempotent-replayed"] == "true"
        assert len(registry.lookups()) == 1

    async def test_the_same_key_for_another_batch_is_422(self, programs, auth, registry):
        first, second = await registry.add(KOTA), await registry.add(KOTA)
        program = await agency_program(programs, auth())
        headers = auth() | {"Idempotency-Key": "batch-0001"}
        await enrol(programs, headers, program["id"], household_ids=ids(first))
        response = await enrol(programs, headers, program["id"], household_ids=ids(second))
        assert_problem(response, 422, "idempotency-key-reused")
        assert len(await _enrolled(programs, auth(), program["id"])) == 1
