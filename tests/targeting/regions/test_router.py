from tests.support import assert_problem


class TestGetRegion:
    async def test_reads_a_lampung_regency_with_its_bps_code(self, targeting, auth):
        response = await targeting.get("/api/v1/regions/18.04", headers=auth("18"))
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "KABUPATEN LAMPUNG BARAT"
        assert body["level"] == "regency" and body["parent_code"] == "18" and body["bps_code"] == "1801"
        assert body["decree"].startswith("Kepmendagri") and body["retired"] is False

    async def test_a_district_token_sees_its_ancestors(self, targeting, auth):
        response = await targeting.get("/api/v1/regions/18", headers=auth("18.71"))
        assert response.status_code == 200 and response.json()["level"] == "province"

    async def test_outside_the_token_region_is_404_like_absent(self, targeting, auth):
        outside = await targeting.get("/api/v1/regions/18.01", headers=auth("18.71"))
        absent = await targeting.get("/api/v1/regions/18.99", headers=auth("18.71"))
        assert_problem(outside, 404, "region-not-found")
        assert_problem(absent, 404, "region-not-found")
        assert outside.json()["title"] == absent.json()["title"]

    async def test_malformed_code_is_422_with_parameter(self, targeting, auth):
        body = assert_problem(await targeting.get("/api/v1/regions/18-71", headers=auth()), 422)
        assert body["errors"][0]["parameter"] == "code"


class TestListRegions:
    async def test_lists_lampungs_15_regencies(self, targeting, auth):
        response = await targeting.get("/api/v1/regions", params={"parent": "18", "level": "regency", "limit": 100},
                                       headers=auth("18"))
        assert response.status_code == 200
        codes = [r["code"] for r in response.json()["items"]]
        assert len(codes) == 15 and codes[0] == "18.01" and codes[-1] == "18.72"

    async def test_pages_with_a_keyset_cursor(self, targeting, auth):
        seen, cursor = [], None
        while True:
            params = {"parent": "18.71", "limit": 7} | ({"cursor": cursor} if cursor else {})
            page = (await targeting.get("/api/v1/regions", params=params, headers=auth("18"))).json()
            seen += [r["code"] for r in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 20 == len(set(seen)) and seen == sorted(seen)

    async def test_a_district_token_lists_only_its_subtree_and_ancestors(self, targeting, auth):
        response = await targeting.get("/api/v1/regions", params={"level": "regency"}, headers=auth("18.71"))
        assert [r["code"] for r in response.json()["items"]] == ["18.71"]

    async def test_a_disjoint_parent_is_403(self, targeting, auth):
        response = await targeting.get("/api/v1/regions", params={"parent": "18.01"}, headers=auth("18.71"))
        assert_problem(response, 403, "forbidden")

    async def test_village_counts_match_the_domain_brief(self, targeting, auth):
        villages, cursor = 0, None
        while True:
            params = {"level": "village", "limit": 1000} | ({"cursor": cursor} if cursor else {})
            page = (await targeting.get("/api/v1/regions", params=params, headers=auth("18"))).json()
            villages += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert villages == 2651

    async def test_limit_above_1000_is_422(self, targeting, auth):
        assert_problem(await targeting.get("/api/v1/regions", params={"limit": 1001}, headers=auth()), 422)

    async def test_a_forged_cursor_is_422(self, targeting, auth):
        assert_problem(await targeting.get("/api/v1/regions", params={"cursor": "!!!"}, headers=auth()), 422,
                       "validation")
        assert_problem(await targeting.get("/api/v1/regions", params={"cursor": "AAAA"}, headers=auth()), 422,
                       "invalid-cursor")
