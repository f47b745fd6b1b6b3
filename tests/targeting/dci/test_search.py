"""POST /dci/registry/sync/search: each query type over Group, Member and Person, pagination, sorting, region
scoping, masking, the audit trail and the transaction log. Every message is validated against the standard."""

from datetime import date

from sqlalchemy import text

from kit.clock import today_jakarta
from tests.targeting import factories as f
from tests.targeting.dci import support as s

SYNC = "/dci/registry/sync/search"


def _ids(records):
    return [r["@id"].rsplit(":", 1)[1] for r in records]


class TestIdentifierSearch:
    async def test_nik_answers_the_family_as_a_group(self, targeting, auth):
        created = await f.create(targeting, auth())
        body = s.search(s.by_id("NIK", created["members"][1]["nik"]))
        response = await s.call(targeting, SYNC, body, auth())
        answer = response.json()
        assert answer["header"]["status"] == "succ" and answer["header"]["action"] == "on-search"
        assert answer["header"]["receiver_id"] == "test-client" and answer["header"]["completed_count"] == 1
        assert answer["message"]["transaction_id"] == body["message"]["transaction_id"]
        entry = answer["message"]["search_response"][0]
        assert entry["reference_id"] == body["message"]["search_request"][0]["reference_id"]
        assert entry["pagination"] == {"page_size": 1000, "page_number": 1, "total_count": 1}
        assert entry["data"]["reg_record_type"] == "spdci:Group"
        [group] = entry["data"]["reg_records"]
        assert group["@id"] == f"urn:sinergi:household:{created['id']}" and group["@type"] == "spdci:Group"
        assert group["group_identifier"] == [
            {"@type": "Identifier", "identifier_type": "NO_KK", "identifier_value": created["no_kk"]}]
        assert group["group_type"] == "family" and group["place"]["address"] == created["address"]
        assert group["poverty_score"] == 1 and group["poverty_score_type"] == "dtks_welfare_decile"
        assert group["group_size"] == 3 and len(group["member_list"]) == 3
        head = group["group_head_info"]
        assert head == group["member_list"][0] and head["relationship_head"] == "head"
        assert head["member_identifier"][0]["identifier_value"] == created["members"][0]["nik"]
        person = head["demographic_info"]
        assert person["name"]["given_name"] == "Budi Santoso" and person["sex"] == "male"
        assert person["birth_date"] == "1980-03-05T00:00:00Z"
        attributes = {k: v for entry in group["additional_attributes"] for k, v in entry.items()}
        assert attributes["region_code"] == created["region_code"] and attributes["extreme_poor"] is True
        assert attributes["housing"]["floor"] == "earth" and attributes["status"] == "active"

    async def test_nik_answers_a_member_or_a_person(self, targeting, auth):
        created = await f.create(targeting, auth())
        spouse = created["members"][1]
        member_answer = await s.call(targeting, SYNC, s.search(
            s.by_id("NIK", spouse["nik"], response_entity="Member")), auth())
        [member] = s.records(member_answer)
        assert member["@type"] == "spdci:Member" and member["@id"] == f"urn:sinergi:member:{spouse['id']}"
        assert member["relationship_head"] == "spouse" and member["demographic_info"]["sex"] == "female"
        attributes = {k: v for entry in member["additional_attributes"] for k, v in entry.items()}
        assert attributes["household_id"] == created["id"] and attributes["no_kk"] == created["no_kk"]
        person_answer = await s.call(targeting, SYNC, s.search(s.by_id("NIK", spouse["nik"], reg_type="Person")),
                                     auth())
        [person] = s.records(person_answer)
        assert person["@type"] == "spdci:SRPerson" and person["identifier"][0]["identifier_value"] == spouse["nik"]
        assert person_answer.json()["message"]["search_response"][0]["data"]["reg_record_type"] == "spdci:SRPerson"

    async def test_no_kk_answers_the_household_or_all_its_members(self, targeting, auth):
        created = await f.create(targeting, auth())
        await f.create(targeting, auth())
        groups = s.records(await s.call(targeting, SYNC, s.search(s.by_id("NO_KK", created["no_kk"])), auth()))
        assert _ids(groups) == [created["id"]]
        members = s.records(await s.call(targeting, SYNC, s.search(
            s.by_id("KK", int(created["no_kk"]), response_entity="Member")), auth()))
        assert sorted(_ids(members)) == sorted(m["id"] for m in created["members"])

    async def test_other_regions_and_inactive_records_do_not_exist(self, targeting, auth):
        elsewhere = await f.create(targeting, auth(), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        gone = await f.create(targeting, auth())
        await targeting.post(f"/api/v1/households/{gone['id']}/deactivate", json={"reason": "moved"}, headers=auth())
        body = s.search(s.by_id("NO_KK", elsewhere["no_kk"]), s.by_id("NIK", gone["members"][0]["nik"]))
        response = await s.call(targeting, SYNC, body, auth("18.71"))
        for entry in response.json()["message"]["search_response"]:
            assert entry["status"] == "succ" and entry["data"]["reg_records"] == []
            assert entry["pagination"]["total_count"] == 0

    async def test_masks_identifiers_names_and_address_without_pii_read(self, targeting, auth):
        created = await f.create(targeting, auth())
        response = await s.call(targeting, SYNC, s.search(s.by_id("NO_KK", created["no_kk"])),
                                auth("18", "registry:read"))
        [group] = s.records(response)
        assert group["group_identifier"][0]["identifier_value"] == "************" + created["no_kk"][-4:]
        assert "place" not in group
        head = group["member_list"][0]
        assert head["member_identifier"][0]["identifier_value"] == "************" + created["members"][0]["nik"][-4:]
        assert head["demographic_info"]["name"]["given_name"] == "B. S."
        assert created["members"][0]["nik"] not in response.text and created["no_kk"] not in response.text


class TestPredicateSearch:
    async def test_and_or_not_over_household_attributes(self, targeting, auth):
        poor = await f.create(targeting, auth(), welfare_decile=1, extreme_poor=True)
        near = await f.create(targeting, auth(), welfare_decile=3, extreme_poor=False)
        await f.create(targeting, auth(), welfare_decile=8, extreme_poor=False)
        query = [{"seq_num": 1, "expression1": s.predicate("poverty_score", "le", "3"),
                  "condition": "and", "expression2": s.predicate("location", "eq", "18.71")}]
        found = s.records(await s.call(targeting, SYNC, s.search(s.item("predicate", query)), auth()))
        assert sorted(_ids(found)) == sorted([poor["id"], near["id"]])
        query = [{"expression1": s.predicate("extreme_poor", "eq", True), "condition": "or",
                  "expression2": s.predicate("welfare_decile", "gt", 7)},
                 {"expression1": s.predicate("housing.floor", "eq", "earth"), "condition": "not",
                  "expression2": s.predicate("welfare_decile", "ge", 8)}]
        found = s.records(await s.call(targeting, SYNC, s.search(s.item("predicate", query)), auth()))
        assert _ids(found) == [poor["id"]]

    async def test_member_attributes_age_and_in(self, targeting, auth):
        today = today_jakarta()
        turning_five_today = today.replace(year=today.year - 5) if (today.month, today.day) != (2, 29) \
            else date(today.year - 5, 2, 28)
        created = await f.create(targeting, auth(), members=[
            f.member("head", born=date(1980, 3, 5), education="primary"),
            f.member("child", born=turning_five_today, sex="F"),
            f.member("child", born=date(today.year - 9, 1, 1), education="primary"),
        ])
        query = [{"expression1": s.predicate("age", "lt", 6)},
                 {"expression1": s.predicate("relationship_head", "eq", "child")}]
        found = s.records(await s.call(targeting, SYNC, s.search(
            s.item("predicate", query, response_entity="Member")), auth()))
        assert _ids(found) == [created["members"][1]["id"]]
        query = [{"expression1": s.predicate("age", "eq", 5), "condition": "or",
                  "expression2": s.predicate("education_level", "in", "primary,junior_secondary")}]
        found = s.records(await s.call(targeting, SYNC, s.search(
            s.item("predicate", query, response_entity="Member")), auth()))
        assert len(found) == 3
        query = [{"expression1": s.predicate("YOB", "ge", str(today.year - 9)), "condition": "not",
                  "expression2": s.predicate("sex", "eq", "female")}]
        found = s.records(await s.call(targeting, SYNC, s.search(
            s.item("predicate", query, response_entity="Member")), auth()))
        assert _ids(found) == [created["members"][2]["id"]]

    async def test_status_in_the_query_reaches_inactive_records(self, targeting, auth):
        gone = await f.create(targeting, auth())
        await targeting.post(f"/api/v1/households/{gone['id']}/deactivate", json={"reason": "deceased"},
                             headers=auth())
        query = [{"expression1": s.predicate("status", "eq", "inactive")}]
        found = s.records(await s.call(targeting, SYNC, s.search(s.item("predicate", query)), auth()))
        assert _ids(found) == [gone["id"]] and found[0]["group_size"] == 0


class TestExpressionSearch:
    async def test_the_standards_example_shape(self, targeting, auth):
        small = await f.create(targeting, auth(), welfare_decile=2)
        await f.create(targeting, auth(), welfare_decile=7)
        await f.create(targeting, auth(), welfare_decile=2, region_code=f.LAMPUNG_SELATAN_VILLAGE)
        value = {"expression": {"collection": "Group", "query": {"$and": [
            {"poverty_score": {"$lt": 5}}, {"location": {"$eq": "18.71"}}, {"group_size": {"$lt": 5}}]}}}
        found = s.records(await s.call(targeting, SYNC, s.search(
            s.item("expression", {"type": "ns:org:QueryType:NoSql", "value": value})), auth()))
        assert _ids(found) == [small["id"]]

    async def test_member_collection_with_in_not_and_nor(self, targeting, auth):
        created = await f.create(targeting, auth())
        value = {"expression": {"collection": "Member", "query": {
            "relationship_head": {"$in": ["head", "spouse"]}, "sex": {"$not": {"$eq": "female"}},
            "$nor": [{"is_disabled": True}]}}}
        found = s.records(await s.call(targeting, SYNC, s.search(
            s.item("expression", {"type": "NoSql", "value": value})), auth()))
        assert _ids(found) == [created["members"][0]["id"]]


class TestPaginationAndSort:
    async def test_pages_cover_every_record_once_with_the_total(self, targeting, auth):
        created = [await f.create(targeting, auth(), welfare_decile=d) for d in (4, 1, 5, 2, 3)]
        seen = []
        for page in (1, 2, 3, 4):
            response = await s.call(targeting, SYNC, s.search(s.item(
                "predicate", [], pagination={"page_size": 2, "page_number": page},
                sort=[{"attribute_name": "poverty_score", "sort_order": "desc"}])), auth())
            entry = response.json()["message"]["search_response"][0]
            assert entry["pagination"] == {"page_size": 2, "page_number": page, "total_count": 5}
            seen.extend(r["poverty_score"] for r in entry["data"]["reg_records"])
        assert seen == [5, 4, 3, 2, 1]
        assert len(created) == 5

    async def test_members_sort_by_age(self, targeting, auth):
        created = await f.create(targeting, auth())
        found = s.records(await s.call(targeting, SYNC, s.search(s.item(
            "predicate", [], response_entity="Member", sort=[{"attribute_name": "age"}])), auth()))
        assert _ids(found) == [m["id"] for m in sorted(created["members"], key=lambda m: m["birth_date"],
                                                            reverse=True)]


class TestRecordKeeping:
    async def test_disclosures_are_audited_and_the_answer_kept(self, targeting, auth, connection):
        created = await f.create(targeting, auth())
        body = s.search(s.by_id("NO_KK", created["no_kk"]))
        body["header"]["sender_id"] = "dinsos-1871"
        response = await s.call(targeting, SYNC, body, auth("18", "registry:read", client_id="dinsos-1871"))
        audited = (await connection.execute(text(
            "SELECT record_type, record_ids::text[], pii_visible FROM targeting.audit_event "
            "WHERE client_id = 'dinsos-1871' AND action = 'dci.search' ORDER BY record_type"))).all()
        assert audited == [("household", [created["id"]], False),
                           ("member", [m["id"] for m in created["members"]], False)]
        stored = (await connection.execute(text(
            "SELECT id::text, transaction_id, status, mode, response FROM targeting.dci_transaction "
            "WHERE client_id = 'dinsos-1871'"))).one()
        answer = response.json()["message"]
        assert stored[:4] == (answer["correlation_id"], body["message"]["transaction_id"], "succ", "sync")
        assert stored[4] == answer

    async def test_finished_messages_are_deleted_after_the_retention_period(self, targeting, auth, connection):
        created = await f.create(targeting, auth())
        headers = auth("18", "registry:read", client_id="dinsos-retention")

        async def send() -> str:
            body = s.search(s.by_id("NO_KK", created["no_kk"]))
            body["header"]["sender_id"] = "dinsos-retention"
            return (await s.call(targeting, SYNC, body, headers)).json()["message"]["correlation_id"]

        old, pending, recent = await send(), await send(), await send()
        await connection.execute(text(
            "UPDATE targeting.dci_transaction SET created_at = now() - interval '31 days' WHERE id = ANY(:ids)"),
            {"ids": [old, pending]})
        # An answer still waiting to be delivered to its callback is kept whatever its age.
        await connection.execute(text(
            "UPDATE targeting.dci_transaction SET mode = 'async', delivery_status = 'pending' WHERE id = :id"),
            {"id": pending})
        newest = await send()
        kept = set((await connection.execute(text(
            "SELECT id::text FROM targeting.dci_transaction WHERE client_id = 'dinsos-retention'"))).scalars())
        assert kept == {pending, recent, newest}
        audited = await connection.scalar(text(
            "SELECT count(*) FROM targeting.audit_event WHERE client_id = 'dinsos-retention'"))
        assert audited == 8  # the disclosures stay on the audit trail: household and members, per message
