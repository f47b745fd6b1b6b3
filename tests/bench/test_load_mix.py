import json

import pytest

from bench.load_mix import (
    MIX,
    Fixtures,
    create_template,
    fresh_identities,
    lua_script,
    lua_string,
    next_delay,
    parse_report,
)
from targeting.households.schemas import HouseholdCreate

VILLAGE = "18.71.01.1003"


def _report(statuses, **errors):  # type: ignore[no-untyped-def]
    raw = {"requests": sum(statuses.values()), "duration_us": 10_000_000, "p50_us": 4000, "p90_us": 9000,
           "p99_us": 20000, "max_us": 50000, "non_2xx_3xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0,
           "statuses": statuses} | errors
    return "Running 10s test\nWRK-JSON " + json.dumps(raw) + "\n"


class TestMix:
    def test_weights_add_up_to_one_hundred_and_kinds_are_distinct(self):
        assert sum(kind.weight for kind in MIX) == 100
        assert len({kind.name for kind in MIX}) == len(MIX)


class TestFreshIdentities:
    def test_families_pass_the_registry_rules_and_avoid_what_is_taken(self):
        first = fresh_identities("187101", set(), 3)
        taken = {first[0][1]}  # the first head's NIK is in the registry already
        identities = fresh_identities("187101", taken, 20_000)
        assert first[0] not in identities and len(set(identities)) == 20_000
        assert len({i[0] for i in identities} | {i[1] for i in identities} | {i[3] for i in identities}) == 60_000
        template = create_template(VILLAGE)
        for identity in identities[::997]:
            body = HouseholdCreate.model_validate_json(template % identity)
            assert (body.no_kk, body.members[0].nik, body.members[1].nik) == (identity[0], identity[1], identity[3])
            assert str(body.members[0].birth_date) == identity[2]


class TestLuaScript:
    def test_strings_are_quoted_so_json_bodies_survive(self):
        assert lua_string('{"a":"b\\c"}') == '"{\\"a\\":\\"b\\\\c\\"}"'
        assert lua_string("Budi\nÉ") == '"Budi\\10\\195\\137"'

    def test_carries_the_token_the_data_and_rate_control_only_when_asked(self):
        fixtures = Fixtures(household_ids=["h1"], list_paths=["/api/v1/households?limit=50"], niks=["1871010503800001"],
                            names=[("Budi", "1980-03-05")], feed_last=42, regencies=["18.71"], village=VILLAGE,
                            patch_ids=[["p1"], ["p2"]], create_ids=[[("k", "n1", "d1", "n2", "d2")], []])
        script = lua_script(fixtures, "tok.en", seed=3)
        assert 'local token = "tok.en"' in script and "local feed_last = 42" in script
        assert 'local patch_ids = {{"p1"}, {"p2"}}' in script
        assert "function delay()" not in script
        steered = lua_script(fixtures, "t", target_rps=50.0, delay_ms=120.0, connections=32)
        assert "function delay()" in steered
        assert "delay_ms = 120.0" in steered and "local thread_rps = 25.000" in steered
        assert "local thread_connections = 16" in steered


class TestParseReport:
    def test_expected_refusals_are_counted_apart_from_errors(self):
        result = parse_report(_report({"household 200": 900, "patch 200": 80, "patch 412": 3, "create 409": 1}))
        assert result.requests_per_second == pytest.approx(98.4)
        assert (result.expected_refusals(), result.errors()) == (4, 0)
        assert result.p99_ms == 20.0
        assert result.refusal_detail() == "create 409: 1, patch 412: 3"

    def test_server_errors_unexpected_refusals_and_socket_errors_are_errors(self):
        result = parse_report(_report({"household 200": 10, "household 404": 1, "feed 503": 2, "create 409": 1},
                                      timeout=4, read=1))
        assert result.errors() == 8
        assert result.error_detail() == "feed 503: 2, household 404: 1, socket read: 1, socket timeout: 4"


class TestNextDelay:
    def test_keeps_the_service_time_the_last_run_showed_and_sets_the_think_time(self):
        # 32 connections at 100 req/s: a 320 ms cycle, 20 ms of it waiting for answers with a 300 ms think time.
        assert next_delay(300.0, 32, 100.0, 80.0) == pytest.approx(400.0 - 20.0)

    def test_from_the_maximum_the_whole_cycle_was_service_time(self):
        assert next_delay(0.0, 32, 400.0, 200.0) == pytest.approx(160.0 - 80.0)

    def test_never_negative(self):
        assert next_delay(0.0, 4, 10.0, 1000.0) == 0.0
