"""`sinergi generate`: valid identifiers, real families, Lampung's calibration, determinism."""

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from statistics import correlation

import pytest
from typer.testing import CliRunner

from sinergi.calibration import REGENCIES, allocate
from sinergi.generator import generate, lampung_villages
from sinergi.main import app
from targeting.households.identifiers import check_nik, check_no_kk, nik_findings
from targeting.imports.rows import HOUSEHOLD_FIELDS, MEMBER_FIELDS

PREFIXES = frozenset(r.code.replace(".", "") for r in REGENCIES)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def registry(tmp_path_factory):  # type: ignore[no-untyped-def]
    made = generate(20_000, 7, tmp_path_factory.mktemp("registry"))
    return made, _rows(made.households_path), _rows(made.members_path)


class TestGenerate:
    def test_same_seed_same_files_other_seed_other_files(self, tmp_path):
        one, two, other = (generate(300, s, tmp_path / n) for s, n in ((4, "a"), (4, "b"), (5, "c")))
        assert one.households_path.read_bytes() == two.households_path.read_bytes()
        assert one.members_path.read_bytes() == two.members_path.read_bytes()
        assert one.members_path.read_bytes() != other.members_path.read_bytes()

    def test_identifiers_are_valid_unique_and_agree_with_sex_and_birth_date(self, registry):
        made, households, members = registry
        assert list(households[0]) == list(HOUSEHOLD_FIELDS) and list(members[0]) == list(MEMBER_FIELDS)
        assert len({h["no_kk"] for h in households}) == len(households) == made.households
        assert len({m["nik"] for m in members}) == len(members) == made.members
        for household in households:
            check_no_kk(household["no_kk"], PREFIXES)
            assert household["no_kk"][:6] == household["region_code"][:8].replace(".", "")
        mismatched = 0
        for member in members:
            check_nik(member["nik"], PREFIXES)
            mismatched += bool(nik_findings(member["nik"], member["sex"], date.fromisoformat(member["birth_date"])))
        assert mismatched / len(members) < 0.01  # the few birth dates corrected after the NIK was issued

    def test_families_have_one_head_and_about_three_and_a_half_people(self, registry):
        made, _households, members = registry
        heads = Counter(m["no_kk"] for m in members if m["relationship"] == "head")
        assert set(heads.values()) == {1} and len(heads) == made.households
        assert 3.2 <= made.members / made.households <= 3.9
        assert {m["relationship"] for m in members} == {"head", "spouse", "child", "parent", "grandchild"}

    def test_villages_are_lampung_ones_and_households_follow_population(self, registry):
        _made, households, _members = registry
        villages = {v.code for vs in lampung_villages().values() for v in vs}
        assert {h["region_code"] for h in households} <= villages
        per_regency = Counter(h["region_code"][:5] for h in households)
        expected = allocate(20_000, [r.population for r in REGENCIES])
        assert [per_regency[r.code] for r in REGENCIES] == expected

    def test_poverty_follows_the_2022_figures(self, registry):
        _made, households, _members = registry
        extreme: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        area: dict[bool, list[int]] = defaultdict(lambda: [0, 0])
        low: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for h in households:
            poor = h["extreme_poor"] == "true"
            for bucket in (extreme[h["region_code"][:5]], area[h["region_code"][9] == "2"]):
                bucket[0] += poor
                bucket[1] += 1
            low[h["region_code"][:5]][0] += int(h["welfare_decile"]) <= 4
            low[h["region_code"][:5]][1] += 1
        rate = {code: hit / total for code, (hit, total) in extreme.items()}
        assert max(rate, key=rate.get) == "18.03"  # Lampung Utara, 4.79 %
        assert correlation([rate[r.code] for r in REGENCIES], [r.extreme_percent for r in REGENCIES]) > 0.8
        overall = sum(hit for hit, _ in extreme.values()) / len(households)
        expected = sum(r.extreme_percent * r.population for r in REGENCIES) / sum(r.population for r in REGENCIES)
        assert abs(overall * 100 - expected) < 0.5
        assert area[True][0] / area[True][1] > 1.3 * area[False][0] / area[False][1]  # desa poorer than kelurahan
        share = {code: hit / total for code, (hit, total) in low.items()}
        assert share["18.03"] > share["18.72"] and share["18.07"] > share["18.71"]

    def test_the_command_writes_both_dialects(self, tmp_path):
        result = CliRunner().invoke(app, ["generate", "--households", "50", "--seed", "3", "--out",
                                          str(tmp_path), "--dialect", "dtsen"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output.strip().splitlines()[-1])
        assert summary["households"] == 50
        header = (tmp_path / "members.csv").read_text().splitlines()[0]
        assert header.startswith("no_kk,nik,nama,id_jenis_kelamin")
