"""What each operator, member sub-tree and null means, checked through the bulk lookup (one match flag per
household) and through evaluate (the counts), against expectations written out by hand."""

from datetime import date

import pytest

from tests.support import assert_problem
from tests.targeting import factories as f
from tests.targeting.factories import HouseholdRow, MemberRow

AS_OF = date(2025, 3, 1)
READER = "registry:read"


def panel() -> dict[str, HouseholdRow]:
    return {
        "a": HouseholdRow(f.BANDAR_LAMPUNG_VILLAGE, welfare_decile=1, extreme_poor=True, floor_area_m2=20.0,
                          floor="earth", members=[
                              MemberRow(date(1980, 3, 5), "M", "head", education="primary", occupation="labourer"),
                              MemberRow(date(1984, 11, 20), "F", "spouse", education="junior_secondary",
                                        pregnant=True),
                              MemberRow(date(2012, 1, 9), "F", "child", education="primary",
                                        school_participation="dropped_out"),
                          ]),
        "b": HouseholdRow(f.BANDAR_LAMPUNG_VILLAGE_2, welfare_decile=4, floor_area_m2=36.0, floor="ceramic", members=[
            MemberRow(date(1950, 3, 1), "F", "head", education="none", disability=True, chronic_illness=True),
        ]),
        "c": HouseholdRow(f.SUKARAME_VILLAGE, welfare_decile=None, members=[
            MemberRow(date(1990, 3, 2), "M", "head", education="senior_secondary", occupation="trader"),
            MemberRow(date(2020, 2, 29), "M", "child", school_participation="not_yet"),
            MemberRow(date(1940, 1, 1), "M", "parent", status="inactive"),
        ]),
        "d": HouseholdRow(f.LAMPUNG_SELATAN_VILLAGE, welfare_decile=2, extreme_poor=True, floor_area_m2=15.5,
                          floor="bamboo", members=[
                              MemberRow(date(1970, 7, 7), "M", "head", occupation="farmer"),
                              MemberRow(date(2015, 5, 5), "F", "child", school_participation="enrolled"),
                          ]),
        "e": HouseholdRow(f.BANDAR_LAMPUNG_VILLAGE, welfare_decile=1, extreme_poor=True, status="inactive",
                          members=[MemberRow(date(1960, 1, 1), "M", "head", status="inactive")]),
    }


def leaf(field, op, value):
    return {"field": field, "op": op, "value": value}


def member(tree):
    return {"member": tree}


CASES = [
    # household scalars: every operator
    (leaf("welfare_decile", "eq", 1), "a"),
    (leaf("welfare_decile", "ne", 1), "bd"),
    (leaf("welfare_decile", "lt", 4), "ad"),
    (leaf("welfare_decile", "lte", 4), "abd"),
    (leaf("welfare_decile", "gt", 1), "bd"),
    (leaf("welfare_decile", "gte", 4), "b"),
    (leaf("welfare_decile", "in", [1, 2]), "ad"),
    (leaf("welfare_decile", "between", [2, 4]), "bd"),
    (leaf("welfare_decile", "is_null", True), "c"),
    (leaf("welfare_decile", "is_null", False), "abd"),
    (leaf("extreme_poor", "eq", True), "ad"),
    (leaf("extreme_poor", "ne", True), "bc"),
    (leaf("extreme_poor", "is_null", True), ""),
    (leaf("housing.floor_area_m2", "lt", 20), "d"),
    (leaf("housing.floor_area_m2", "lte", 20.0), "ad"),
    (leaf("housing.floor_area_m2", "gt", 20), "b"),
    (leaf("housing.floor_area_m2", "between", [20, 36]), "ab"),
    (leaf("housing.floor_area_m2", "eq", 15.5), "d"),
    (leaf("housing.floor", "eq", "ceramic"), "b"),
    (leaf("housing.floor", "ne", "earth"), "bd"),
    (leaf("housing.floor", "in", ["earth", "bamboo"]), "ad"),
    (leaf("housing.floor", "is_null", True), "c"),
    (leaf("member_count", "eq", 2), "cd"),
    (leaf("member_count", "lt", 2), "b"),
    (leaf("member_count", "gte", 3), "a"),
    (leaf("member_count", "in", [1, 3]), "ab"),
    (leaf("member_count", "between", [2, 2]), "cd"),
    # region codes compare by subtree
    (leaf("region_code", "eq", "18.71"), "abc"),
    (leaf("region_code", "eq", f.BANDAR_LAMPUNG_VILLAGE), "a"),
    (leaf("region_code", "ne", "18.71.01"), "cd"),
    (leaf("region_code", "in", ["18.71.02", "18.01"]), "cd"),
    (leaf("region_code", "eq", "18.72"), ""),
    (leaf("region_code", "eq", "18.01.04"), "d"),
    # member sub-trees: active members only
    (member(leaf("sex", "eq", "F")), "abd"),
    (member(leaf("sex", "ne", "M")), "abd"),
    (member(leaf("relationship", "eq", "parent")), ""),
    (member(leaf("age", "gte", 75)), "b"),
    (member(leaf("age", "gt", 75)), ""),
    (member(leaf("age", "gte", 80)), ""),
    (member(leaf("age", "eq", 5)), "c"),
    (member(leaf("age", "lt", 5)), ""),
    (member(leaf("age", "between", [7, 15])), "ad"),
    (member(leaf("age", "lte", 13)), "acd"),
    (member(leaf("age", "lt", 13)), "cd"),
    (member(leaf("age", "ne", 44)), "abcd"),
    (member(leaf("age", "in", [34, 40])), "ac"),
    (member(leaf("age", "is_null", True)), ""),
    (member(leaf("education", "lte", "primary")), "ab"),
    (member(leaf("education", "gt", "senior_secondary")), ""),
    (member(leaf("education", "gte", "senior_secondary")), "c"),
    (member(leaf("education", "between", ["none", "primary"])), "ab"),
    (member(leaf("education", "in", ["none", "junior_secondary"])), "ab"),
    (member(leaf("education", "is_null", True)), "cd"),
    (member(leaf("school_participation", "eq", "dropped_out")), "a"),
    (member(leaf("occupation", "in", ["farmer", "fisher"])), "d"),
    (member(leaf("disability", "eq", True)), "b"),
    (member(leaf("pregnant", "eq", True)), "a"),
    (member(leaf("chronic_illness", "ne", True)), "acd"),
    (member(leaf("birth_date", "lt", "1960-01-01")), "b"),
    (member(leaf("birth_date", "between", ["2012-01-09", "2015-05-05"])), "ad"),
    (member({"all": [leaf("sex", "eq", "F"), leaf("age", "lt", 18)]}), "ad"),
    (member({"not": leaf("education", "eq", "primary")}), "abc"),
    # logic, and three-valued logic with nulls (c has no decile, no floor area, no floor)
    ({"all": []}, "abcd"),
    ({"any": []}, ""),
    ({"not": {"any": []}}, "abcd"),
    ({"not": leaf("welfare_decile", "lte", 3)}, "b"),
    ({"not": {"not": leaf("welfare_decile", "eq", 1)}}, "a"),
    ({"not": member(leaf("sex", "eq", "F"))}, "c"),
    ({"any": [leaf("welfare_decile", "lte", 2), leaf("housing.floor_area_m2", "is_null", True)]}, "acd"),
    ({"any": [leaf("welfare_decile", "lte", 2), leaf("extreme_poor", "eq", True)]}, "ad"),
    ({"not": {"any": [leaf("welfare_decile", "lte", 2), leaf("extreme_poor", "eq", True)]}}, "b"),
    ({"all": [leaf("welfare_decile", "gte", 1), leaf("extreme_poor", "eq", False)]}, "b"),
    ({"not": {"all": [leaf("welfare_decile", "gte", 1), leaf("extreme_poor", "eq", False)]}}, "ad"),
    # for c: unknown AND false is false, so the negation is true
    ({"not": {"all": [leaf("welfare_decile", "gte", 5), leaf("extreme_poor", "eq", True)]}}, "abcd"),
    ({"any": [{"not": leaf("housing.floor", "eq", "earth")}, member(leaf("age", "gte", 30))]}, "abcd"),
]


async def _lookup(targeting, headers, rows, criteria, as_of=AS_OF):
    body = {"household_ids": [str(r.id) for r in rows.values()], "criteria": criteria, "as_of": as_of.isoformat()}
    response = await targeting.post("/api/v1/households/lookup", json=body, headers=headers)
    assert response.status_code == 200, response.text
    by_id = {item["household_id"]: item["matches_criteria"] for item in response.json()["items"] if item["found"]}
    return "".join(label for label, row in rows.items() if by_id.get(str(row.id)))


async def _evaluate(targeting, headers, criteria, **extra):
    response = await targeting.post("/api/v1/targeting/evaluate", json={"criteria": criteria, **extra},
                                    headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestOperators:
    @pytest.mark.parametrize(("criteria", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
    async def test_matches_exactly_the_expected_households(self, targeting, auth, connection, criteria, expected):
        rows = panel()
        await f.insert_households(connection, list(rows.values()))
        assert await _lookup(targeting, auth("18", READER), rows, criteria) == expected
        counted = await _evaluate(targeting, auth("18", READER), criteria, as_of=AS_OF.isoformat())
        assert counted["households"] == len(expected)
        assert counted["members"] == sum(len(rows[label].active_members) for label in expected)

    async def test_age_follows_as_of_across_a_29_february_birthday(self, targeting, auth, connection):
        rows = panel()
        await f.insert_households(connection, list(rows.values()))
        four = member(leaf("age", "eq", 4))
        assert await _lookup(targeting, auth(), rows, four, as_of=date(2025, 2, 28)) == "c"
        assert await _lookup(targeting, auth(), rows, four, as_of=date(2025, 3, 1)) == ""
        # the head of c turns 35 on 2 March
        assert await _lookup(targeting, auth(), rows, member(leaf("age", "eq", 35)), as_of=date(2025, 3, 2)) == "c"

    async def test_as_of_defaults_to_today_in_jakarta(self, targeting, auth, connection):
        from kit.clock import today_jakarta

        born_today_75_years_ago = today_jakarta().replace(year=today_jakarta().year - 75) \
            if (today_jakarta().month, today_jakarta().day) != (2, 29) else date(today_jakarta().year - 75, 3, 1)
        row = HouseholdRow(members=[MemberRow(born_today_75_years_ago, "F", "head")])
        await f.insert_households(connection, [row])
        counted = await _evaluate(targeting, auth(), member(leaf("age", "eq", 75)))
        assert counted["households"] == 1 and counted["as_of"] == today_jakarta().isoformat()


class TestLookup:
    async def test_without_criteria_matches_is_null_and_unfound_refs_stay_null(self, targeting, auth, connection):
        rows = panel()
        await f.insert_households(connection, list(rows.values()))
        ids = [str(rows["a"].id), "00000000-0000-7000-8000-000000000000"]
        plain = await targeting.post("/api/v1/households/lookup", json={"household_ids": ids}, headers=auth())
        assert [i["matches_criteria"] for i in plain.json()["items"]] == [None, None]
        judged = await targeting.post("/api/v1/households/lookup", headers=auth(), json={
            "household_ids": ids, "criteria": leaf("extreme_poor", "eq", True)})
        assert [i["matches_criteria"] for i in judged.json()["items"]] == [True, None]

    async def test_an_inactive_household_never_matches(self, targeting, auth, connection):
        rows = panel()
        await f.insert_households(connection, list(rows.values()))
        response = await targeting.post("/api/v1/households/lookup", headers=auth(), json={
            "household_ids": [str(rows["e"].id)], "criteria": {"all": []}})
        assert response.json()["items"][0]["found"] is True
        assert response.json()["items"][0]["matches_criteria"] is False

    async def test_nik_lookups_are_judged_by_their_household(self, targeting, auth):
        created = await f.create(targeting, auth())
        response = await targeting.post("/api/v1/households/lookup", headers=auth(), json={
            "niks": [m["nik"] for m in created["members"]], "criteria": leaf("welfare_decile", "eq", 1)})
        assert [i["matches_criteria"] for i in response.json()["items"]] == [True, True, True]

    async def test_a_household_outside_the_token_region_is_neither_found_nor_judged(self, targeting, auth,
                                                                                  connection):
        rows = panel()
        await f.insert_households(connection, list(rows.values()))
        response = await targeting.post("/api/v1/households/lookup", headers=auth("18.71", READER), json={
            "household_ids": [str(rows["a"].id), str(rows["d"].id)], "criteria": {"all": []}})
        assert [(i["found"], i["matches_criteria"]) for i in response.json()["items"]] == [(True, True), (False, None)]

    async def test_bad_criteria_are_422_with_a_pointer(self, targeting, auth):
        problem = assert_problem(await targeting.post("/api/v1/households/lookup", headers=auth(), json={
            "household_ids": [], "criteria": {"all": [leaf("welfare_decile", "lte", "x")]}}), 422, "invalid-criteria")
        assert problem["errors"][0]["pointer"] == "/criteria/all/0/value"
