import pytest

from targeting.feed.repository import EXPORT_COLUMNS
from tests.support import assert_problem, export_rows, load_binary_export
from tests.targeting import factories as f


async def _feed(client, headers, after=0, limit=1000):
    response = await client.get("/api/v1/feeds/registry", params={"after": after, "limit": limit}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestRegistryFeed:
    async def test_creation_emits_one_household_and_one_entry_per_member(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        created = await f.create(targeting, auth())
        page = await _feed(targeting, auth(), after=head)
        mine = [e for e in page["items"] if e["household_id"] == created["id"]]
        assert [e["type"] for e in mine] == ["household.created"] + ["member.created"] * 3
        assert mine[0]["data"]["no_kk"] == created["no_kk"] and mine[1]["data"]["nik"] == created["members"][0]["nik"]
        assert [e["seq"] for e in mine] == sorted(e["seq"] for e in mine)
        assert page["next_after"] == page["items"][-1]["seq"]

    async def test_updates_and_deactivation_follow_in_order(self, targeting, auth):
        created = await f.create(targeting, auth())
        head = (await _feed(targeting, auth()))["next_after"]
        await targeting.patch(f"/api/v1/households/{created['id']}", json={"extreme_poor": False},
                              headers=auth() | {"If-Match": '"1"'})
        await targeting.post(f"/api/v1/households/{created['id']}/deactivate", json={"reason": "moved"},
                             headers=auth())
        types = [e["type"] for e in (await _feed(targeting, auth(), after=head))["items"]]
        assert types == ["household.updated", "household.deactivated"] + ["member.updated"] * 3

    async def test_a_district_sees_only_its_region(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        mine = await f.create(targeting, auth())
        theirs = await f.create(targeting, auth(), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        seen = {e["household_id"] for e in (await _feed(targeting, auth("18.71"), after=head))["items"]}
        assert mine["id"] in seen and theirs["id"] not in seen

    async def test_pages_follow_next_after_without_gaps(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        for _ in range(3):
            await f.create(targeting, auth())
        seqs, after = [], head
        while True:
            page = await _feed(targeting, auth(), after=after, limit=5)
            if not page["items"]:
                break
            seqs += [e["seq"] for e in page["items"]]
            after = page["next_after"]
        assert len(seqs) == 12 and seqs == sorted(set(seqs))

    async def test_masked_without_pii_read(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        created = await f.create(targeting, auth())
        items = (await _feed(targeting, auth("18", "registry:read"), after=head))["items"]
        assert items[0]["data"]["no_kk"] == "************" + created["no_kk"][-4:]
        assert items[1]["data"]["name"] == "B. S." and items[1]["data"]["nik"].startswith("************")

    async def test_negative_after_is_422(self, targeting, auth):
        assert_problem(await targeting.get("/api/v1/feeds/registry", params={"after": -1}, headers=auth()), 422)

    async def test_the_body_matches_the_documented_model_and_carries_the_head(self, targeting, auth):
        from targeting.feed.router import FeedPage

        head = (await _feed(targeting, auth()))["next_after"]
        await f.create(targeting, auth())
        for headers in (auth(), auth("18", "registry:read")):
            body = await _feed(targeting, headers, after=head, limit=2)
            page = FeedPage.model_validate(body)
            assert [e.seq for e in page.items] == sorted(e.seq for e in page.items) and len(page.items) == 2
            assert page.head >= page.next_after + 2 and page.next_after == page.items[-1].seq

    @pytest.mark.parametrize("scopes", ["registry:read pii:read", "registry:read"], ids=["pii", "masked"])
    async def test_each_read_is_audited_with_the_range_it_showed(self, targeting, auth, scopes):
        head = (await _feed(targeting, auth()))["next_after"]
        created = await f.create(targeting, auth())
        elsewhere = await f.create(targeting, auth(), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        page = await _feed(targeting, auth("18.71", scopes, client_id="mirror-1871"), after=head)
        events = (await targeting.get("/api/v1/audit", params={"record_id": created["id"]},
                                      headers=auth())).json()["items"]
        assert [(e["client_id"], e["action"], e["feed_after"], e["feed_until"], e["region_code"], e["record_ids"])
                for e in events if e["action"] == "feed.read"] == [
            ("mirror-1871", "feed.read", head, page["next_after"], "18.71", [])]
        assert events[0]["pii_visible"] is ("pii:read" in scopes)
        # The range spans the other district's household too, but the read was bound to 18.71: not its reader.
        other = (await targeting.get("/api/v1/audit", params={"record_id": elsewhere["id"]},
                                     headers=auth())).json()["items"]
        assert all(e["client_id"] != "mirror-1871" for e in other)
        # Nothing new: no audit row.
        await _feed(targeting, auth("18.71", scopes, client_id="mirror-1871"), after=10**12)
        again = (await targeting.get("/api/v1/audit", params={"client_id": "mirror-1871"}, headers=auth())).json()
        assert len(again["items"]) == 1


async def _export(client, headers, after=0, limit=1000):
    response = await client.get("/api/v1/feeds/registry/export", params={"after": after, "limit": limit},
                                headers=headers)
    return export_rows(response), int(response.headers["feed-next-after"]), int(response.headers["feed-head"])


class TestRegistryExport:
    async def test_carries_the_feeds_entries_as_flat_rows(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        created = await f.create(targeting, auth())
        entries = (await _feed(targeting, auth(), after=head))["items"]
        rows, next_after, feed_head = await _export(targeting, auth(), after=head)
        assert next_after == entries[-1]["seq"] == feed_head
        assert [(int(r["seq"]), r["type"], r["id"], r["household_id"], r["region_code"]) for r in rows] == [
            (e["seq"], e["type"], e["id"], e["household_id"], e["region_code"]) for e in entries]
        household, first_member = rows[0], rows[1]
        assert (household["no_kk"], household["status"], household["extreme_poor"], household["nik"]) == (
            created["no_kk"], "active", "t" if created["extreme_poor"] else "f", None)
        assert household["welfare_decile"] == str(created["welfare_decile"])
        assert (first_member["nik"], first_member["name"], first_member["relationship"], first_member["no_kk"]) == (
            created["members"][0]["nik"], created["members"][0]["name"], created["members"][0]["relationship"], None)

    async def test_follows_next_after_without_gaps_and_stops_at_the_head(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        for _ in range(3):
            await f.create(targeting, auth())
        seqs, after = [], head
        while True:
            rows, next_after, _ = await _export(targeting, auth(), after=after, limit=5)
            if not rows:
                assert next_after == after
                break
            seqs += [int(r["seq"]) for r in rows]
            assert next_after == seqs[-1]
            after = next_after
        assert len(seqs) == 12 and seqs == sorted(set(seqs))

    async def test_a_district_exports_only_its_region_and_the_read_is_audited_as_a_range(self, targeting, auth):
        head = (await _feed(targeting, auth()))["next_after"]
        mine = await f.create(targeting, auth())
        theirs = await f.create(targeting, auth(), region_code=f.LAMPUNG_SELATAN_VILLAGE)
        rows, next_after, _ = await _export(targeting, auth("18.71", client_id="export-1871"), after=head)
        assert {r["household_id"] for r in rows} == {mine["id"]}
        events = (await targeting.get("/api/v1/audit", params={"client_id": "export-1871"},
                                      headers=auth())).json()["items"]
        assert [(e["action"], e["feed_after"], e["feed_until"], e["region_code"], e["pii_visible"])
                for e in events] == [("feed.read", head, next_after, "18.71", True)]
        found = (await targeting.get("/api/v1/audit", params={"record_id": mine["id"]}, headers=auth())).json()
        assert "export-1871" in {e["client_id"] for e in found["items"]}
        hidden = (await targeting.get("/api/v1/audit", params={"record_id": theirs["id"]}, headers=auth())).json()
        assert "export-1871" not in {e["client_id"] for e in hidden["items"]}

    async def test_the_binary_format_loads_into_typed_columns_as_the_text_rows_read(self, targeting, auth,
                                                                                      connection):
        head = (await _feed(targeting, auth()))["next_after"]
        await f.create(targeting, auth())
        rows, _, _ = await _export(targeting, auth(), after=head)
        response = await targeting.get("/api/v1/feeds/registry/export", params={"after": head, "format": "binary"},
                                       headers=auth())
        assert int(response.headers["feed-entries"]) == len(rows) == 4
        loaded = await load_binary_export(connection, response, EXPORT_COLUMNS)
        as_text = [{k: None if v is None else {True: "t", False: "f"}.get(v, str(v)) if isinstance(v, bool)
                    else str(v) for k, v in row.items()} for row in loaded]
        assert [{k: v for k, v in r.items() if k != "occurred_at"} for r in as_text] == [
            {k: v for k, v in r.items() if k != "occurred_at"} for r in rows]

    async def test_needs_pii_read_and_a_bounded_limit(self, targeting, auth):
        response = await targeting.get("/api/v1/feeds/registry/export", headers=auth("18", "registry:read"))
        assert "pii:read" in assert_problem(response, 403)["detail"]
        assert_problem(await targeting.get("/api/v1/feeds/registry/export", params={"limit": 200_001},
                                           headers=auth()), 422)
