import pytest

from tests.support import assert_problem
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
    async def test_each_read_is_audited_with_the_households_it_showed(self, targeting, auth, scopes):
        head = (await _feed(targeting, auth()))["next_after"]
        created = await f.create(targeting, auth())
        await _feed(targeting, auth("18.71", scopes, client_id="mirror-1871"), after=head)
        events = (await targeting.get("/api/v1/audit", params={"record_id": created["id"]},
                                      headers=auth())).json()["items"]
        assert (events[0]["client_id"], events[0]["action"], events[0]["record_ids"]) == (
            "mirror-1871", "feed.read", [created["id"]])
        assert events[0]["pii_visible"] is ("pii:read" in scopes)
        # Nothing new: no audit row.
        await _feed(targeting, auth("18.71", scopes, client_id="mirror-1871"), after=10**12)
        again = (await targeting.get("/api/v1/audit", params={"client_id": "mirror-1871"}, headers=auth())).json()
        assert len(again["items"]) == 1
