"""POST /api/v1/targeting/evaluate: counts checked against plain Python over the rows the test created."""

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest

from tests.support import assert_problem
from tests.targeting import factories as f
from tests.targeting.factories import HouseholdRow, MemberRow

AS_OF = date(2025, 6, 30)
VILLAGES = [f.BANDAR_LAMPUNG_VILLAGE, f.BANDAR_LAMPUNG_VILLAGE_2, f.SUKARAME_VILLAGE, f.LAMPUNG_SELATAN_VILLAGE,
            f.LAMPUNG_SELATAN_VILLAGE_2]


def synthetic(seed: int = 7, count: int = 80) -> list[HouseholdRow]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        members = [MemberRow(date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 74)), rng.choice("MF"),
                             rng.choice(["head", "spouse", "child", "parent"]),
                             education=rng.choice([None, "none", "primary", "junior_secondary", "bachelor"]),
                             school_participation=rng.choice([None, "enrolled", "dropped_out", "never"]),
                             disability=rng.random() < 0.1,
                             status="active" if rng.random() < 0.9 else "inactive")
                   for _ in range(rng.randint(1, 6))]
        rows.append(HouseholdRow(
            rng.choice(VILLAGES), welfare_decile=rng.choice([None, 1, 2, 3, 4, 5, 8, 10]),
            extreme_poor=rng.random() < 0.3, floor_area_m2=rng.choice([None, 12.0, 18.5, 30.0, 60.0]),
            floor=rng.choice([None, "earth", "cement_brick", "ceramic"]),
            drinking_water=rng.choice([None, "unprotected_well", "piped_metered", "surface_water"]),
            toilet=rng.choice([None, "none", "shared", "own"]),
            status="active" if rng.random() < 0.9 else "inactive", members=members))
    return rows


# Each criteria tree next to the same rule written as plain Python (None = unknown, kept out of matches).
CRITERIA = {
    "poor_with_child_out_of_school": (
        {"all": [{"field": "welfare_decile", "op": "lte", "value": 4},
                 {"member": {"all": [{"field": "age", "op": "between", "value": [7, 18]},
                                     {"field": "school_participation", "op": "in",
                                      "value": ["dropped_out", "never"]}]}}]},
        lambda h: h.welfare_decile is not None and h.welfare_decile <= 4 and any(
            7 <= m.age(AS_OF) <= 18 and m.school_participation in ("dropped_out", "never") for m in h.active_members),
    ),
    "bad_housing": (
        {"any": [{"field": "housing.floor", "op": "eq", "value": "earth"},
                 {"field": "housing.toilet", "op": "eq", "value": "none"},
                 {"field": "housing.floor_area_m2", "op": "lt", "value": 20}]},
        lambda h: h.floor == "earth" or h.toilet == "none" or (h.floor_area_m2 is not None and h.floor_area_m2 < 20),
    ),
    "extreme_or_elderly_disabled_not_piped": (
        {"all": [{"any": [{"field": "extreme_poor", "op": "eq", "value": True},
                          {"member": {"all": [{"field": "age", "op": "gte", "value": 60},
                                              {"field": "disability", "op": "eq", "value": True}]}}]},
                 {"not": {"field": "housing.drinking_water", "op": "eq", "value": "piped_metered"}},
                 {"field": "member_count", "op": "gte", "value": 2}]},
        lambda h: (h.extreme_poor or any(m.age(AS_OF) >= 60 and m.disability for m in h.active_members))
        and h.drinking_water is not None and h.drinking_water != "piped_metered" and len(h.active_members) >= 2,
    ),
}


def expected_counts(rows, rule, key=lambda code: "", region="18"):
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for h in rows:
        if h.status == "active" and (h.region_code + ".").startswith(region + ".") and rule(h):
            groups[key(h.region_code)][0] += 1
            groups[key(h.region_code)][1] += len(h.active_members)
    return dict(groups)


async def evaluate(targeting, headers, criteria, **extra):
    return await targeting.post("/api/v1/targeting/evaluate", json={"criteria": criteria, **extra}, headers=headers)


class TestCounts:
    @pytest.mark.parametrize("name", list(CRITERIA))
    async def test_totals_match_an_independent_count(self, targeting, auth, connection, name):
        rows = await f.insert_households(connection, synthetic())
        criteria, rule = CRITERIA[name]
        expected = expected_counts(rows, rule).get("", [0, 0])
        assert expected[0] > 0
        response = await evaluate(targeting, auth("18", "registry:read"), criteria, as_of=AS_OF.isoformat())
        assert response.status_code == 200, response.text
        body = response.json()
        assert [body["households"], body["members"]] == expected
        assert body["groups"] == [] and body["region"] == "18" and body["as_of"] == AS_OF.isoformat()

    @pytest.mark.parametrize(("level", "width"), [("regency", 5), ("district", 8), ("village", 13)])
    async def test_groups_match_an_independent_count(self, targeting, auth, connection, level, width):
        rows = await f.insert_households(connection, synthetic(seed=11))
        criteria, rule = CRITERIA["bad_housing"]
        expected = expected_counts(rows, rule, key=lambda code: code[:width])
        body = (await evaluate(targeting, auth(), criteria, group_by=level, as_of=AS_OF.isoformat())).json()
        assert {g["region_code"]: [g["households"], g["members"]] for g in body["groups"]} == expected
        assert [g["region_code"] for g in body["groups"]] == sorted(expected)
        assert body["households"] == sum(c[0] for c in expected.values())
        names = {g["region_code"]: g["name"] for g in body["groups"]}
        assert names.get({"regency": "18.71", "district": "18.71.01", "village": f.BANDAR_LAMPUNG_VILLAGE}[level]) \
            in ("KOTA BANDAR LAMPUNG", "Kedaton")

    async def test_nothing_matching_counts_zero(self, targeting, auth, connection):
        await f.insert_households(connection, synthetic())
        body = (await evaluate(targeting, auth(), {"any": []}, group_by="village")).json()
        assert (body["households"], body["members"], body["groups"]) == (0, 0, [])


class TestScoping:
    async def test_a_district_token_counts_only_its_region(self, targeting, auth, connection):
        rows = await f.insert_households(connection, synthetic(seed=3))
        criteria, rule = CRITERIA["bad_housing"]
        mine = expected_counts(rows, rule, region="18.71")[""]
        body = (await evaluate(targeting, auth("18.71", "registry:read"), criteria, group_by="regency",
                               as_of=AS_OF.isoformat())).json()
        assert [body["households"], body["members"]] == mine
        assert [g["region_code"] for g in body["groups"]] == ["18.71"]
        narrowed = (await evaluate(targeting, auth("18.71", "registry:read"), criteria, region="18",
                                   as_of=AS_OF.isoformat())).json()
        assert narrowed["households"] == mine[0] and narrowed["region"] == "18.71"
        inner = (await evaluate(targeting, auth("18.71", "registry:read"), criteria, region="18.71.02",
                                as_of=AS_OF.isoformat())).json()
        assert inner["households"] == expected_counts(rows, rule, region="18.71.02").get("", [0])[0]

    async def test_a_disjoint_region_is_403(self, targeting, auth):
        assert_problem(await evaluate(targeting, auth("18.71", "registry:read"), {"all": []}, region="18.01"), 403)

    async def test_needs_registry_read(self, targeting, auth):
        assert_problem(await evaluate(targeting, auth("18", "programs:read"), {"all": []}), 403)


class TestValidation:
    async def test_bad_criteria_point_into_the_tree(self, targeting, auth):
        criteria = {"all": [{"field": "welfare_decile", "op": "lte", "value": 1},
                            {"field": "welfare_decile", "op": "lte", "value": "one"},
                            {"member": {"field": "shoe_size", "op": "gt", "value": 40}}]}
        problem = assert_problem(await evaluate(targeting, auth(), criteria), 422, "invalid-criteria")
        assert [e["pointer"] for e in problem["errors"]] == ["/criteria/all/1/value", "/criteria/all/2/member/field"]

    async def test_abuse_is_refused_by_depth_and_size(self, targeting, auth):
        deep: dict = {"field": "extreme_poor", "op": "eq", "value": True}
        for _ in range(40):
            deep = {"not": deep}
        assert assert_problem(await evaluate(targeting, auth(), deep), 422)["errors"][0]["code"] == "too_deep"
        wide = {"any": [{"field": "extreme_poor", "op": "eq", "value": True}] * 500}
        assert assert_problem(await evaluate(targeting, auth(), wide), 422)["errors"][0]["code"] == "too_many_nodes"

    @pytest.mark.parametrize("body", [
        {"criteria": [], "region": "18"},
        {"criteria": {"all": []}, "group_by": "province"},
        {"criteria": {"all": []}, "region": "18.7"},
        {"criteria": {"all": []}, "as_of": "2025-02-30"},
        {"criteria": {"all": []}, "colour": "blue"},
    ])
    async def test_the_envelope_is_validated(self, targeting, auth, body):
        assert_problem(await targeting.post("/api/v1/targeting/evaluate", json=body, headers=auth()), 422,
                       "validation")
