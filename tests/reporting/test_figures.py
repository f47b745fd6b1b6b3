"""Every figure of the reports against an independent computation: plain loops over the world's records
(tests/reporting/world.py), not the reports' SQL."""

from __future__ import annotations

import pytest

from tests.reporting.conftest import sync
from tests.reporting.world import World, build
from tests.support import assert_problem

SECTORS = ("social_assistance", "health", "education", "water_sanitation", "housing", "income", "food",
           "infrastructure")
WIDTH = {"province": 2, "regency": 5, "district": 8, "village": 13}


def _rate(n: int, d: int) -> float | None:
    return None if d == 0 else n / d


def _poor(world: World, region: str) -> list[str]:
    return [k for k, h in world.houses.items() if h.active and h.extreme_poor and world.inside(h.region_code, region)]


def _sectors(world: World, house: str, year: int) -> set[str]:
    return {world.programs[p].sector for p, h, day in world.deliveries if h == house and day.startswith(str(year))}


def _strategies(world: World, house: str, year: int) -> set[str]:
    return {world.programs[p].strategy for p, h, day in world.deliveries if h == house and day.startswith(str(year))}


def expected_coverage(world: World, region: str, year: int) -> dict:
    poor = _poor(world, region)
    covered = [h for h in poor if _sectors(world, h, year)]
    return {
        "extreme_poor_households": len(poor), "covered_households": len(covered),
        "coverage_rate": _rate(len(covered), len(poor)), "unreached_households": len(poor) - len(covered),
        "by_sector": {s: {"covered": sum(1 for h in poor if s in _sectors(world, h, year)),
                          "rate": _rate(sum(1 for h in poor if s in _sectors(world, h, year)), len(poor))}
                      for s in SECTORS},
    }


def expected_evaluation(world: World, region: str, key: str) -> dict:
    program = world.programs[key]
    enrolled = {h for p, h in world.enrolments if p == key and world.inside(world.houses[h].region_code, region)}
    delivered = {h for p, h, day in world.deliveries
                 if p == key and day.startswith("2022") and world.inside(world.houses[h].region_code, region)}
    accurate = {h for h in enrolled if world.houses[h].active
                and (world.houses[h].extreme_poor or (world.houses[h].welfare_decile or 99) <= 4)}
    leaked = {h for h in enrolled if not world.houses[h].active}
    in_priority = {h for h in enrolled if any(world.inside(world.houses[h].region_code, d)
                                              for d in world.designated.get(2022, []))}
    spent = sum(a for (p, _period), a in world.spending.items() if p == key)
    return {"budget_idr": program.budget_idr, "spent_idr": spent, "absorption_rate": _rate(spent, program.budget_idr),
            "target_beneficiaries": program.target, "enrolled": len(enrolled), "delivered": len(delivered),
            "reach_rate": _rate(len(delivered), program.target),
            "targeting_accuracy": _rate(len(accurate), len(enrolled)), "leakage": _rate(len(leaked), len(enrolled)),
            "priority_area_share": _rate(len(in_priority), len(enrolled)),
            "_counts": (len(accurate), len(leaked), len(in_priority))}


@pytest.fixture
async def world(targeting, programs, auth, consumer) -> World:  # type: ignore[no-untyped-def]
    built = await build(targeting, programs, auth)
    await sync(consumer)
    return built


class TestCoverage:
    @pytest.mark.parametrize(("region", "level"), [("18", "regency"), ("18.71", "district"), ("18.71", "village"),
                                                   ("18.71.01", "village")])
    async def test_every_area_and_the_total_match_an_independent_count(self, reporting, auth, world, region, level):
        response = await reporting.get("/api/v1/reports/coverage", params={"year": 2022, "region": region,
                                                                          "level": level}, headers=auth())
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["total"] | {"region_code": region, "name": report["total"]["name"]} == \
            expected_coverage(world, region, 2022) | {"region_code": region, "name": report["total"]["name"]}
        assert report["areas"], "every area of the level is listed"
        for area in report["areas"]:
            assert {k: v for k, v in area.items() if k not in ("region_code", "name")} == \
                expected_coverage(world, area["region_code"], 2022), area["region_code"]
            assert len(area["region_code"]) == WIDTH[level]

    async def test_the_edge_cases_read_as_intended(self, reporting, auth, world):
        areas = {a["region_code"]: a for a in (await reporting.get(
            "/api/v1/reports/coverage", params={"year": 2022, "region": "18.71", "level": "district"},
            headers=auth())).json()["areas"]}
        # An area with no extreme-poor households: zeros and null rates, not an error or a missing row.
        assert areas["18.71.02"]["extreme_poor_households"] == 0 and areas["18.71.02"]["coverage_rate"] is None
        # h1 got health from two programmes: counted once; h7 (deactivated) is not extreme poor any more.
        assert areas["18.71.01"]["by_sector"]["health"]["covered"] == 2
        assert areas["18.71.01"]["extreme_poor_households"] == 3
        # Another year: nobody reached.
        other = (await reporting.get("/api/v1/reports/coverage", params={"year": 2023, "region": "18.71"},
                                     headers=auth())).json()
        assert other["total"]["covered_households"] == 0 and other["total"]["unreached_households"] == 3

    async def test_a_district_token_sees_its_region_only(self, reporting, auth, world):
        report = (await reporting.get("/api/v1/reports/coverage", params={"year": 2022, "region": "18"},
                                      headers=auth("18.71", "reports:read"))).json()
        assert report["region"] == "18.71" and report["total"]["extreme_poor_households"] == 3
        assert_problem(await reporting.get("/api/v1/reports/coverage", params={"region": "18.01"},
                                           headers=auth("18.71", "reports:read")), 403)

    async def test_a_level_above_the_region_is_refused(self, reporting, auth, world):
        assert_problem(await reporting.get("/api/v1/reports/coverage", params={"region": "18.71", "level": "province"},
                                           headers=auth()), 422)

    async def test_without_reports_read_it_is_forbidden(self, reporting, auth):
        assert_problem(await reporting.get("/api/v1/reports/coverage", headers=auth("18", "registry:read")), 403)


class TestConvergence:
    @pytest.mark.parametrize("region", ["18", "18.71", "18.01"])
    async def test_sector_counts_match(self, reporting, auth, world, region):
        report = (await reporting.get("/api/v1/reports/convergence", params={"year": 2022, "region": region},
                                      headers=auth())).json()
        poor = _poor(world, region)
        buckets = {"0": 0, "1": 0, "2": 0, "3+": 0}
        for h in poor:
            n = len(_sectors(world, h, 2022))
            buckets[str(n) if n < 3 else "3+"] += 1
        assert report["extreme_poor_households"] == len(poor)
        assert report["sectors_reached"] == buckets
        assert report["education_health_water"] == sum(
            1 for h in poor if {"education", "health", "water_sanitation"} <= _sectors(world, h, 2022))
        assert report["all_three_strategies"] == sum(
            1 for h in poor if {"reduce_burden", "increase_income", "reduce_pockets"} <= _strategies(world, h, 2022))
        if region == "18.71":
            assert buckets == {"0": 1, "1": 1, "2": 0, "3+": 1} and report["education_health_water"] == 1


class TestProgramEvaluation:
    @pytest.mark.parametrize("region", ["18", "18.71"])
    async def test_every_programme_agency_and_total_match(self, reporting, auth, world, region):
        report = (await reporting.get("/api/v1/reports/program-evaluation",
                                      params={"fiscal_year": 2022, "region": region}, headers=auth())).json()
        by_id = {p["program_id"]: p for p in report["programs"]}
        assert set(by_id) == {p.id for p in world.programs.values()}
        expected = {key: expected_evaluation(world, region, key) for key in world.programs}
        for key, program in world.programs.items():
            want = {k: v for k, v in expected[key].items() if not k.startswith("_")}
            assert {k: by_id[program.id][k] for k in want} == want, key
        for agency in report["agencies"]:
            keys = [k for k, p in world.programs.items() if p.agency_id == agency["agency_id"]]
            sums = {f: sum(expected[k][f] for k in keys) for f in ("budget_idr", "spent_idr", "target_beneficiaries",
                                                                   "enrolled", "delivered")}
            accurate, leaked, in_priority = (sum(expected[k]["_counts"][i] for k in keys) for i in range(3))
            assert {f: agency[f] for f in sums} == sums and agency["programs"] == len(keys)
            assert agency["absorption_rate"] == _rate(sums["spent_idr"], sums["budget_idr"])
            assert agency["reach_rate"] == _rate(sums["delivered"], sums["target_beneficiaries"])
            assert agency["targeting_accuracy"] == _rate(accurate, sums["enrolled"])
            assert agency["leakage"] == _rate(leaked, sums["enrolled"])
            assert agency["priority_area_share"] == _rate(in_priority, sums["enrolled"])
        assert report["total"]["budget_idr"] == sum(p.budget_idr for p in world.programs.values())

    async def test_the_edge_cases_read_as_intended(self, reporting, auth, world):
        by_id = {p["program_id"]: p for p in (await reporting.get(
            "/api/v1/reports/program-evaluation", params={"fiscal_year": 2022, "region": "18.71"},
            headers=auth())).json()["programs"]}
        p1, p2, p3 = (by_id[world.programs[k].id] for k in ("p1", "p2", "p3"))
        assert p1["leakage"] == 0.25 and p1["spent_idr"] == 550_000  # h7 deactivated; April recorded twice
        assert p2["absorption_rate"] is None and p2["reach_rate"] is None  # zero budget, zero target
        assert p3["enrolled"] == 2  # the province programme's household in 18.01 is outside 18.71

    async def test_filter_by_agency_and_other_year(self, reporting, auth, world):
        agency = world.programs["p3"].agency_id
        report = (await reporting.get("/api/v1/reports/program-evaluation",
                                      params={"fiscal_year": 2022, "agency_id": agency}, headers=auth())).json()
        assert [p["program_id"] for p in report["programs"]] == [world.programs["p3"].id]
        empty = (await reporting.get("/api/v1/reports/program-evaluation", params={"fiscal_year": 2023},
                                     headers=auth())).json()
        assert empty["programs"] == [] and empty["total"]["absorption_rate"] is None


class TestUnreached:
    async def test_lists_the_households_behind_the_unreached_count(self, reporting, auth, world):
        page = (await reporting.get("/api/v1/reports/unreached", params={"year": 2022, "region": "18"},
                                    headers=auth())).json()
        expected = sorted(world.houses[h].id for h in _poor(world, "18") if not _sectors(world, h, 2022))
        assert [i["household_id"] for i in page["items"]] == expected
        h3 = next(i for i in page["items"] if i["household_id"] == world.houses["h3"].id)
        assert (h3["head_name"], h3["head_nik"], h3["no_kk"]) == (
            world.houses["h3"].head_name, world.houses["h3"].head_nik, world.houses["h3"].no_kk)

    async def test_by_sector_with_pages(self, reporting, auth, world):
        expected = sorted(world.houses[h].id for h in _poor(world, "18") if "health" not in _sectors(world, h, 2022))
        seen, cursor = [], None
        while True:
            params = {"year": 2022, "sector": "health", "limit": 1} | ({"cursor": cursor} if cursor else {})
            page = (await reporting.get("/api/v1/reports/unreached", params=params, headers=auth())).json()
            seen += [i["household_id"] for i in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == expected and len(expected) == 2  # h3 (none) and h6 (education only)

    async def test_masked_without_pii_read(self, reporting, auth, world):
        item = (await reporting.get("/api/v1/reports/unreached", params={"year": 2022, "region": "18.71"},
                                    headers=auth("18.71", "reports:read"))).json()["items"][0]
        assert item["no_kk"].startswith("************") and item["head_nik"].startswith("************")
        assert item["head_name"] == "B. S." and item["address"] is None


class TestFreshness:
    async def test_caught_up_feeds_are_current(self, reporting, auth, world):
        body = (await reporting.get("/api/v1/reports/freshness", headers=auth())).json()
        feeds = {f["feed"]: f for f in body["feeds"]}
        assert set(feeds) == {"registry", "programs"}
        for feed in feeds.values():
            assert feed["state"] == "current" and feed["lag_entries"] == 0 and feed["last_error"] is None


class TestProgrammeChanges:
    async def test_a_programme_moved_to_another_sector_moves_its_households(self, reporting, programs, auth, world,
                                                                            consumer):
        p4 = world.programs["p4"]
        version = (await programs.get(f"/api/v1/programs/{p4.id}", headers=auth())).json()["version"]
        response = await programs.patch(f"/api/v1/programs/{p4.id}", json={"sector": "housing",
                                                                             "strategy": "reduce_burden"},
                                        headers=auth() | {"If-Match": f'"{version}"'})
        assert response.status_code == 200, response.text
        p4.sector, p4.strategy = "housing", "reduce_burden"
        await sync(consumer)
        for region in ("18", "18.71"):
            report = (await reporting.get("/api/v1/reports/coverage", params={"year": 2022, "region": region},
                                          headers=auth())).json()
            total = {k: v for k, v in report["total"].items() if k not in ("region_code", "name")}
            assert total == expected_coverage(world, region, 2022)
        assert total["by_sector"]["water_sanitation"]["covered"] == 0 and total["by_sector"]["housing"]["covered"] == 1
        convergence = (await reporting.get("/api/v1/reports/convergence", params={"year": 2022, "region": "18.71"},
                                           headers=auth())).json()
        assert convergence["education_health_water"] == 0 and convergence["all_three_strategies"] == 0
