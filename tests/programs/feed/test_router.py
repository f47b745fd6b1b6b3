import uuid

import orjson
from sqlalchemy import text

from programs.feed.repository import EXPORT_COLUMNS
from tests.programs.factories import agency_program, create_agency, enrol, ids
from tests.support import assert_problem, export_rows, load_binary_export


async def _feed(programs, headers, after):
    items, next_after = [], after
    while True:
        response = await programs.get("/api/v1/feeds/programs", params={"after": next_after, "limit": 3},
                                      headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["items"]:
            assert page["next_after"] == next_after
            return items
        next_after = page["next_after"]


async def _last_seq(connection):
    return await connection.scalar(text("SELECT coalesce(max(seq), 0) FROM programs.feed_entry"))


class TestProgramsFeed:
    async def test_every_change_appears_once_in_order_with_enough_to_mirror_it(
            self, programs, auth, registry, connection):
        after = await _last_seq(connection)
        household = await registry.add("18.71.01.1003")
        partner = (await programs.post("/api/v1/partners", json={"name": "Koperasi", "kind": "cooperative"},
                                       headers=auth("18.71"))).json()
        agency = await create_agency(programs, auth("18.71"))
        await programs.patch(f"/api/v1/agencies/{agency['id']}", json={"name": "Dinsos"},
                             headers=auth() | {"If-Match": '"1"'})
        program = (await programs.post("/api/v1/programs", json={
            "code": "P1", "name": "Bantuan", "agency_id": agency["id"], "fiscal_year": 2022, "strategy":
            "reduce_burden", "cluster": 1, "sector": "food", "unit": "household", "benefit": "in_kind",
            "budget_idr": 10_000, "funding_source": "apbd_regency", "target_beneficiaries": 10,
            "partner_ids": [partner["id"]]}, headers=auth("18.71"))).json()
        await programs.patch(f"/api/v1/programs/{program['id']}", json={"status": "active"},
                             headers=auth() | {"If-Match": '"1"'})
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        await programs.post(f"/api/v1/programs/{program['id']}/deliveries", json=[{
            "household_id": str(household.id), "delivered_on": "2022-04-01", "value_idr": 5000, "quantity": 2,
            "unit": "kg"}], headers=auth())
        await programs.post(f"/api/v1/programs/{program['id']}/spending",
                            json=[{"period": "2022-04", "amount_idr": 7000}], headers=auth())

        items = await _feed(programs, auth("18.71", scopes="programs:read"), after)

        assert [i["type"] for i in items] == [
            "partner.created", "agency.created", "agency.updated", "program.created", "program.updated",
            "enrollment.created", "delivery.created", "spending.recorded"]
        seqs = [i["seq"] for i in items]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        by_type = {i["type"]: i for i in items}
        created = by_type["program.created"]
        assert created["id"] == program["id"] and created["region_code"] == "18.71"
        assert {k: created["data"][k] for k in ("region_code", "agency_level", "sector", "fiscal_year", "budget_idr",
                                                "partner_ids")} == {
            "region_code": "18.71", "agency_level": "regency", "sector": "food", "fiscal_year": 2022,
            "budget_idr": 10_000, "partner_ids": [partner["id"]]}
        assert by_type["program.updated"]["data"]["status"] == "active"
        assert by_type["agency.updated"]["data"]["name"] == "Dinsos"
        enrolment = by_type["enrollment.created"]
        assert enrolment["region_code"] == "18.71.01.1003"
        assert {k: enrolment["data"][k] for k in ("program_id", "household_id", "region_code", "member_id")} == {
            "program_id": program["id"], "household_id": str(household.id), "region_code": "18.71.01.1003",
            "member_id": None}
        delivery = by_type["delivery.created"]["data"]
        assert (delivery["household_id"], delivery["delivered_on"], delivery["value_idr"], delivery["quantity"]) == (
            str(household.id), "2022-04-01", 5000, 2)
        spending = by_type["spending.recorded"]
        assert spending["id"] == f"{program['id']}:2022-04" and spending["region_code"] == "18.71"
        assert (spending["data"]["period"], spending["data"]["amount_idr"]) == ("2022-04", 7000)
        assert all(i["occurred_at"].endswith(("Z", "+00:00")) for i in items)

    async def test_a_district_sees_provincial_programmes_and_only_its_own_households(
            self, programs, auth, registry, connection):
        after = await _last_seq(connection)
        kota, lamsel = await registry.add("18.71.01.1003"), await registry.add("18.01.04.2001")
        provincial = await agency_program(programs, auth("18"), "18")
        other = await agency_program(programs, auth("18.01"), "18.01")
        await enrol(programs, auth("18"), provincial["id"], household_ids=ids(kota, lamsel))

        district = [(i["type"], i["id"]) for i in await _feed(programs, auth("18.71"), after)]
        province = [(i["type"], i["id"]) for i in await _feed(programs, auth("18"), after)]

        assert ("program.created", provincial["id"]) in district
        assert ("program.created", other["id"]) not in district
        assert [t for t, _ in district].count("enrollment.created") == 1
        assert [t for t, _ in province].count("enrollment.created") == 2
        assert ("program.created", other["id"]) in province

    async def test_needs_the_read_scope(self, programs, auth):
        assert_problem(await programs.get("/api/v1/feeds/programs", headers=auth(scopes="reports:read")), 403)

    async def test_a_negative_after_is_422(self, programs, auth):
        assert_problem(await programs.get("/api/v1/feeds/programs", params={"after": -1}, headers=auth()), 422)


async def test_the_body_matches_the_documented_model_and_carries_the_head(programs, auth, connection):
    from programs.feed.schemas import FeedPage

    after = await _last_seq(connection)
    await create_agency(programs, auth())
    await create_agency(programs, auth(), code="DINKES")
    response = await programs.get("/api/v1/feeds/programs", params={"after": after, "limit": 1}, headers=auth())
    page = FeedPage.model_validate(response.json())
    assert [i.type for i in page.items] == ["agency.created"] and page.next_after == page.items[0].seq
    assert page.head == await _last_seq(connection) == page.next_after + 1


async def _export(programs, headers, after, **params):
    response = await programs.get("/api/v1/feeds/programs/export", params={"after": after, **params},
                                  headers=headers)
    return response, export_rows(response) if params.get("format") != "binary" else None


class TestProgramsExport:
    async def test_rows_carry_the_json_feeds_entries_flattened(self, programs, auth, registry, connection):
        after = await _last_seq(connection)
        household = await registry.add("18.71.01.1003")
        program = await agency_program(programs, auth("18.71"), "18.71")
        await enrol(programs, auth(), program["id"], household_ids=ids(household))
        delivered = await programs.post(f"/api/v1/programs/{program['id']}/deliveries", json=[{
            "household_id": str(household.id), "delivered_on": "2022-04-01", "value_idr": 5000, "quantity": 1,
            "unit": "paket"}], headers=auth())
        assert delivered.status_code == 201, delivered.text
        await programs.post(f"/api/v1/programs/{program['id']}/spending",
                            json=[{"period": "2022-04", "amount_idr": 7000}], headers=auth())
        items = await _feed(programs, auth("18.71"), after)
        response, rows = await _export(programs, auth("18.71"), after)

        assert [(int(r["seq"]), r["type"], r["id"], r["region_code"]) for r in rows] == [
            (i["seq"], i["type"], i["id"], i["region_code"]) for i in items]
        assert int(response.headers["feed-next-after"]) == items[-1]["seq"]
        by_type = {r["type"]: r for r in rows}
        enrolment, delivery = by_type["enrollment.created"], by_type["delivery.created"]
        assert (enrolment["program_id"], enrolment["household_id"], enrolment["member_id"], enrolment["data"]) == (
            program["id"], str(household.id), None, None)
        assert (delivery["delivered_on"], delivery["value_idr"], delivery["data"]) == ("2022-04-01", "5000", None)
        json_program = next(i for i in items if i["type"] == "program.created")
        assert orjson.loads(by_type["program.created"]["data"]) == json_program["data"]
        assert by_type["spending.recorded"]["program_id"] == program["id"]

        binary, _ = await _export(programs, auth("18.71"), after, format="binary")
        loaded = await load_binary_export(connection, binary, EXPORT_COLUMNS)
        assert [(r["seq"], r["type"], r["household_id"], r["value_idr"]) for r in loaded] == [
            (int(r["seq"]), r["type"], None if r["household_id"] is None else uuid.UUID(r["household_id"]),
             None if r["value_idr"] is None else int(r["value_idr"])) for r in rows]

    async def test_a_district_exports_what_its_json_feed_shows_page_by_page(self, programs, auth, registry,
                                                                           connection):
        after = await _last_seq(connection)
        kota, lamsel = await registry.add("18.71.01.1003"), await registry.add("18.01.04.2001")
        provincial = await agency_program(programs, auth("18"), "18")
        await agency_program(programs, auth("18.01"), "18.01")
        await enrol(programs, auth("18"), provincial["id"], household_ids=ids(kota, lamsel))
        shown = [(i["type"], i["id"]) for i in await _feed(programs, auth("18.71"), after)]
        exported, next_after = [], after
        while True:
            response, rows = await _export(programs, auth("18.71"), next_after, limit=2)
            if not rows:
                assert int(response.headers["feed-next-after"]) == next_after and response.content == b""
                break
            exported += [(r["type"], r["id"]) for r in rows]
            next_after = int(response.headers["feed-next-after"])
        assert exported == shown and ("enrollment.created", provincial["id"]) not in exported

    async def test_needs_the_read_scope_and_a_bounded_limit(self, programs, auth):
        assert_problem(await programs.get("/api/v1/feeds/programs/export", headers=auth(scopes="reports:read")),
                       403)
        assert_problem(await programs.get("/api/v1/feeds/programs/export", params={"limit": 200_001},
                                          headers=auth()), 422)
