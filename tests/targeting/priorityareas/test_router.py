"""Priority areas: the ranking and its tie-breaks checked against plain Python, and the designations."""

from collections import Counter
from datetime import date

import pytest

from tests.support import assert_problem
from tests.targeting.factories import HouseholdRow, MemberRow, insert_households

KEDATON = "18.71.01"
# village -> (active households, of which extreme poor); 1012 has none active.
VILLAGES = {"1003": (2, 1), "1004": (4, 2), "1005": (4, 1), "1006": (12, 3), "1009": (3, 0), "1010": (2, 1),
            "1012": (0, 0)}
LOKUS_2022 = ["18.71", "18.08", "18.01", "18.07", "18.09", "18.04", "18.02", "18.03"]
APPROVER = "registry:read registry:approve"


def kedaton_rows() -> list[HouseholdRow]:
    rows = []
    for village, (total, extreme) in VILLAGES.items():
        code = f"{KEDATON}.{village}"
        rows += [HouseholdRow(code, extreme_poor=i < extreme,
                              members=[MemberRow(date(1980, 1, 1), relationship="head")]) for i in range(total)]
    # inactive households never count, whatever their flags
    rows += [HouseholdRow(f"{KEDATON}.1012", extreme_poor=True, status="inactive"),
             HouseholdRow(f"{KEDATON}.1009", extreme_poor=True, status="inactive")]
    return rows


def expected_ranking(rows, order):
    households = Counter(r.region_code for r in rows if r.status == "active")
    extreme = Counter(r.region_code for r in rows if r.status == "active" and r.extreme_poor)
    codes = [f"{KEDATON}.{v}" for v in VILLAGES]

    def rate(code):
        return extreme[code] / households[code] if households[code] else None

    def key(code):
        r = rate(code)
        by_rate = (r is None, -(r or 0))
        ranked = (*by_rate, -extreme[code]) if order == "rate" else (-extreme[code], *by_rate)
        return (*ranked, code)

    return [(c, households[c], extreme[c], rate(c)) for c in sorted(codes, key=key)]


async def rank(targeting, headers, **params):
    response = await targeting.get("/api/v1/priority-areas", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestRanking:
    @pytest.mark.parametrize("order", ["rate", "count"])
    async def test_ranks_worst_first_with_the_documented_tie_breaks(self, targeting, auth, connection, order):
        rows = await insert_households(connection, kedaton_rows())
        body = await rank(targeting, auth(), level="village", region=KEDATON, order=order, year=2022)
        got = [(i["region_code"], i["households"], i["extreme_poor_households"], i["extreme_poor_rate"])
               for i in body["items"]]
        assert got == expected_ranking(rows, order)
        assert [i["rank"] for i in body["items"]] == list(range(1, 8))
        assert (body["year"], body["level"], body["order"], body["region"]) == (2022, "village", order, KEDATON)

    async def test_the_spelled_out_order(self, targeting, auth, connection):
        await insert_households(connection, kedaton_rows())
        by_rate = await rank(targeting, auth(), level="village", region=KEDATON)
        assert [i["region_code"][-4:] for i in by_rate["items"]] == ["1004", "1003", "1010", "1006", "1005", "1009",
                                                                       "1012"]
        by_count = await rank(targeting, auth(), level="village", region=KEDATON, order="count")
        assert [i["region_code"][-4:] for i in by_count["items"]] == ["1006", "1004", "1003", "1010", "1005",
                                                                        "1009", "1012"]
        empty = by_rate["items"][-1]
        assert (empty["households"], empty["extreme_poor_households"], empty["extreme_poor_rate"]) == (0, 0, None)
        assert by_rate["items"][0]["name"] == "Surabaya" and by_rate["items"][0]["extreme_poor_rate"] == 0.5

    async def test_pages_follow_the_rank(self, targeting, auth, connection):
        await insert_households(connection, kedaton_rows())
        seen, cursor = [], None
        while True:
            page = await rank(targeting, auth(), level="village", region=KEDATON, limit=3,
                              **({"cursor": cursor} if cursor else {}))
            seen += [i["rank"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == list(range(1, 8))

    async def test_regencies_of_the_province_with_and_without_data(self, targeting, auth, connection):
        await insert_households(connection, [*kedaton_rows(), HouseholdRow("18.01.04.2001", extreme_poor=True)])
        body = await rank(targeting, auth(), level="regency", limit=100)
        assert len(body["items"]) == 15 and body["region"] == "18"
        assert [(i["region_code"], i["households"], i["extreme_poor_households"]) for i in body["items"][:2]] == [
            ("18.01", 1, 1), ("18.71", 27, 8)]
        assert all(i["extreme_poor_rate"] is None for i in body["items"][2:])
        assert [i["region_code"] for i in body["items"][2:]] == sorted(i["region_code"] for i in body["items"][2:])


class TestScoping:
    async def test_a_district_token_ranks_only_its_region(self, targeting, auth, connection):
        await insert_households(connection, [*kedaton_rows(), HouseholdRow("18.01.04.2001", extreme_poor=True)])
        district = auth("18.71", "registry:read")
        body = await rank(targeting, district, level="regency", region="18")
        assert [(i["region_code"], i["households"]) for i in body["items"]] == [("18.71", 27)]
        villages = await rank(targeting, district, level="village", limit=1000)
        assert all(i["region_code"].startswith("18.71.") for i in villages["items"])
        assert sum(i["households"] for i in villages["items"]) == 27
        assert_problem(await targeting.get("/api/v1/priority-areas", params={"region": "18.01"}, headers=district),
                       403)
        assert (await rank(targeting, auth("18.71.01", "registry:read"), level="regency"))["items"] == []

    async def test_needs_registry_read(self, targeting, auth):
        assert_problem(await targeting.get("/api/v1/priority-areas", headers=auth("18", "programs:read")), 403)


class TestDesignations:
    async def test_records_lampungs_2022_list_and_the_ranking_marks_it(self, targeting, auth, connection):
        await insert_households(connection, kedaton_rows())
        response = await targeting.put("/api/v1/priority-areas/2022/designations", headers=auth("18", APPROVER),
                                       json={"level": "regency", "region_codes": LOKUS_2022,
                                             "decree": "Kepmenko PMK 25/2022"})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert sorted(i["region_code"] for i in items) == sorted(LOKUS_2022)
        assert {i["decree"] for i in items} == {"Kepmenko PMK 25/2022"} and items[0]["designated_by"] == "test-client"
        assert next(i["name"] for i in items if i["region_code"] == "18.71") == "KOTA BANDAR LAMPUNG"
        ranking = await rank(targeting, auth(), level="regency", year=2022, limit=100)
        assert sorted(i["region_code"] for i in ranking["items"] if i["designated"]) == sorted(LOKUS_2022)
        other_year = await rank(targeting, auth(), level="regency", year=2023, limit=100)
        assert not any(i["designated"] for i in other_year["items"])
        villages = await rank(targeting, auth(), level="village", region=KEDATON, year=2022)
        assert not any(i["designated"] for i in villages["items"])

    async def test_a_new_list_replaces_the_old_which_stays_in_history(self, targeting, auth):
        url = "/api/v1/priority-areas/2022/designations"
        await targeting.put(url, json={"level": "regency", "region_codes": ["18.71", "18.01"]},
                            headers=auth("18", APPROVER, client_id="bappeda-a"))
        await targeting.put(url, json={"level": "regency", "region_codes": ["18.01", "18.03"], "decree": "SK 2"},
                            headers=auth("18", APPROVER, client_id="bappeda-b"))
        current = (await targeting.get(url, headers=auth())).json()["items"]
        assert [(i["region_code"], i["designated_by"], i["revoked_at"]) for i in current] == [
            ("18.01", "bappeda-b", None), ("18.03", "bappeda-b", None)]
        history = (await targeting.get(url, params={"history": True}, headers=auth())).json()["items"]
        assert [(i["region_code"], i["designated_by"], i["revoked_by"]) for i in history] == [
            ("18.01", "bappeda-a", "bappeda-b"), ("18.01", "bappeda-b", None), ("18.03", "bappeda-b", None),
            ("18.71", "bappeda-a", "bappeda-b")]
        assert all(i["revoked_at"] is not None for i in history if i["revoked_by"])
        cleared = await targeting.put(url, json={"level": "regency", "region_codes": []}, headers=auth("18", APPROVER))
        assert cleared.json()["items"] == []
        assert (await targeting.get(url, headers=auth())).json()["items"] == []

    async def test_a_regency_replaces_only_the_lists_inside_its_region(self, targeting, auth):
        url = "/api/v1/priority-areas/2023/designations"
        await targeting.put(url, headers=auth("18", APPROVER), json={
            "level": "village", "region_codes": ["18.01.04.2001", "18.71.01.1003"]})
        await targeting.put(url, headers=auth("18", APPROVER), json={"level": "regency", "region_codes": ["18.71"]})
        kota = auth("18.71", APPROVER)
        response = await targeting.put(url, headers=kota, json={
            "level": "village", "region_codes": ["18.71.01.1004", "18.71.02.1003"]})
        assert [i["region_code"] for i in response.json()["items"]] == ["18.71.01.1004", "18.71.02.1003"]
        province = (await targeting.get(url, params={"level": "village"}, headers=auth())).json()["items"]
        assert [i["region_code"] for i in province] == ["18.01.04.2001", "18.71.01.1004", "18.71.02.1003"]
        seen_by_kota = (await targeting.get(url, headers=auth("18.71", "registry:read"))).json()["items"]
        assert [i["region_code"] for i in seen_by_kota] == ["18.71", "18.71.01.1004", "18.71.02.1003"]

    async def test_codes_outside_the_region_are_403_and_change_nothing(self, targeting, auth):
        url = "/api/v1/priority-areas/2023/designations"
        problem = assert_problem(await targeting.put(url, headers=auth("18.71", APPROVER), json={
            "level": "village", "region_codes": ["18.71.01.1004", "18.01.04.2001"]}), 403, "region-outside-scope")
        assert problem["errors"] == [{"pointer": "/region_codes/1", "detail": "outside the client's region"}]
        assert (await targeting.get(url, headers=auth())).json()["items"] == []

    @pytest.mark.parametrize(("codes", "pointer", "code"), [
        (["18.71", "18.71.01"], "/region_codes/1", "wrong_level"),
        (["18.71", "18.99"], "/region_codes/1", "region_unknown"),
        (["18.71", "18.01", "18.71"], "/region_codes/2", "duplicate"),
    ])
    async def test_every_code_must_be_a_current_area_of_the_level(self, targeting, auth, codes, pointer, code):
        problem = assert_problem(await targeting.put("/api/v1/priority-areas/2022/designations", headers=auth(),
                                                     json={"level": "regency", "region_codes": codes}),
                                 422, "invalid-designation")
        assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [(pointer, code)]

    async def test_needs_registry_approve(self, targeting, auth):
        url = "/api/v1/priority-areas/2022/designations"
        body = {"level": "regency", "region_codes": ["18.71"]}
        assert_problem(await targeting.put(url, json=body, headers=auth("18", "registry:read registry:write")), 403)
        assert_problem(await targeting.put(url, json=body, headers=auth("18", "registry:read admin")), 403)
        assert (await targeting.put(url, json=body, headers=auth("18", "registry:approve"))).status_code == 200

    async def test_the_body_and_year_are_validated(self, targeting, auth):
        for url, body in [("/api/v1/priority-areas/1999/designations", {"level": "regency", "region_codes": []}),
                          ("/api/v1/priority-areas/2022/designations", {"level": "province", "region_codes": []}),
                          ("/api/v1/priority-areas/2022/designations", {"level": "regency"})]:
            assert_problem(await targeting.put(url, json=body, headers=auth()), 422, "validation")
