"""`sinergi generate`: a synthetic Lampung registry as households.csv + members.csv, deterministic per seed.

Real village codes (province 18 of the region data), valid NIK and No. KK (kecamatan digits from the
village, NIK date digits from the birth date with day + 40 for women, serials unique per kecamatan and
date), families of head, spouse, children and sometimes a parent or grandchild, calibrated per kab/kota
(sinergi.calibration). Rows are written as they are made, so memory stays flat at any size.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path

from sinergi.calibration import DESIL_CUTS, REGENCIES, allocate, area_rates
from targeting.households.codes import HOUSING_FIELDS
from targeting.imports.dialects import DTSEN, OURS, Dialect, FileKind, encode
from targeting.imports.rows import FIELDS
from targeting.regions.loader import DATA_DIR

REFERENCE_DATE = date(2025, 6, 30)  # ages are taken at this date, so output never depends on today
_REFERENCE = REFERENCE_DATE.toordinal()
_KK_EARLIEST = date(2005, 1, 1).toordinal()

MALE = ("Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar", "Hadi", "Hendra",
        "Irfan", "Joko", "Komang", "Made", "Muhammad", "Nyoman", "Rahmat", "Rizki", "Rudi", "Slamet", "Sugeng",
        "Suparman", "Supriyadi", "Syahrul", "Teguh", "Wahyu", "Wayan", "Yusuf", "Zainal", "Herman", "Iwan",
        "Mulyadi", "Ridwan", "Sutrisno", "Tarmizi", "Usman", "Bayu", "Gilang")
FEMALE = ("Ani", "Dewi", "Endang", "Fitri", "Indah", "Kartini", "Lestari", "Mariyam", "Nurhayati", "Putri",
          "Rina", "Ratna", "Siti", "Sri", "Suryani", "Tuti", "Wati", "Yuliana", "Aisyah", "Nur", "Rohmah",
          "Sumiati", "Dian", "Eka", "Hartini", "Juwariyah", "Ketut", "Lina", "Maya", "Novi", "Rini", "Susanti",
          "Wulandari", "Yanti", "Zahra", "Ayu", "Citra", "Handayani", "Ningsih", "Salsabila")
SECOND = ("Saputra", "Pratama", "Wijaya", "Hidayat", "Setiawan", "Kurniawan", "Santoso", "Nugroho", "Lestari",
          "Rahayu", "Wati", "Sari", "Susanto", "Firmansyah", "Ramadhan", "Maulana", "Hasibuan", "Siregar",
          "Effendi", "Ismail", "Gunawan", "Purnama", "Utami", "Anggraini", "Permata", "Kusuma", "Syahputra")

# Housing by welfare profile (0 extreme or desil 1-2, 1 desil 3-4, 2 desil 5-7, 3 desil 8-10): weights in
# the order of each code list (codes.py), so a profile reads like a row of the BDT questionnaire.
HOUSING = {
    "floor": ((3, 12, 1, 6, 1, 45, 6, 8, 18, 0), (3, 28, 1, 9, 2, 42, 3, 5, 7, 0), (6, 52, 2, 10, 3, 24, 1, 1, 1, 0),
              (12, 70, 3, 8, 3, 4, 0, 0, 0, 0)),
    "wall": ((28, 18, 30, 14, 4, 6, 0), (50, 15, 24, 7, 2, 2, 0), (78, 8, 12, 2, 0, 0, 0), (96, 1, 3, 0, 0, 0, 0)),
    "roof": ((1, 2, 6, 40, 10, 34, 1, 1, 5, 0), (2, 4, 10, 48, 12, 22, 1, 0, 1, 0),
             (6, 8, 20, 48, 10, 8, 0, 0, 0, 0), (20, 15, 28, 35, 2, 0, 0, 0, 0, 0)),
    "drinking_water": ((2, 10, 4, 3, 22, 26, 18, 4, 5, 5, 1, 0), (4, 18, 6, 4, 26, 26, 9, 3, 2, 2, 0, 0),
                       (8, 32, 10, 4, 24, 18, 2, 1, 1, 0, 0, 0), (18, 40, 14, 2, 18, 8, 0, 0, 0, 0, 0, 0)),
    "lighting": ((80, 8, 12), (92, 5, 3), (98, 2, 0), (100, 0, 0)),
    "cooking_fuel": ((0, 1, 45, 0, 3, 0, 3, 48, 0), (0, 2, 70, 0, 2, 0, 2, 24, 0), (2, 10, 80, 1, 0, 0, 0, 6, 1),
                     (6, 40, 50, 2, 0, 0, 0, 0, 2)),
    "toilet": ((50, 18, 7, 25), (70, 15, 5, 10), (88, 8, 2, 2), (98, 2, 0, 0)),
}
FLOOR_AREA = ((18, 42), (24, 60), (36, 90), (60, 180))
ADULT_EDUCATION = (  # none, primary, junior, senior, diploma, bachelor, postgraduate
    (14, 48, 22, 15, 1, 0, 0), (8, 38, 26, 24, 2, 2, 0), (3, 22, 24, 38, 5, 8, 0), (1, 8, 12, 40, 10, 25, 4))
OCCUPATIONS = ("farmer", "labourer", "trader", "fisher", "self_employed", "private_employee", "civil_servant")
OCCUPATION_WEIGHTS = ((40, 30, 8, 4, 12, 5, 1), (30, 28, 12, 3, 15, 10, 2), (18, 16, 16, 2, 18, 22, 8),
                      (6, 4, 14, 1, 20, 35, 20))


@dataclass(frozen=True)
class Village:
    code: str
    district: str  # six digits, as NIK and No. KK carry it
    rural: bool


def lampung_villages() -> dict[str, list[Village]]:
    by_regency: dict[str, list[Village]] = {}
    with (DATA_DIR / "villages.csv").open(newline="", encoding="utf-8") as handle:
        for code, _district, _name in csv.reader(handle):
            if code.startswith("18."):
                village = Village(code, code[:8].replace(".", ""), code[9] == "2")
                by_regency.setdefault(code[:5], []).append(village)
    return by_regency


class _Choice:
    """Weighted choice by bisection over precomputed cumulative weights (random.choices recomputes them)."""

    def __init__(self, values: tuple[str, ...], weights: tuple[int, ...]) -> None:
        self.values, self.cumulative, self.total = values, list(accumulate(weights)), sum(weights)

    def __call__(self, draw: float) -> str:
        return self.values[bisect(self.cumulative, draw * self.total)]


@dataclass(frozen=True)
class Generated:
    households: int
    members: int
    households_path: Path
    members_path: Path


class _Serials:
    """Serial numbers per (kecamatan, date digits): NIK and No. KK stay unique without a global set."""

    def __init__(self) -> None:
        self.district = ""
        self.counters: dict[str, int] = {}

    def next(self, district: str, digits: str) -> str:
        if district != self.district:
            self.district, self.counters = district, {}
        serial = self.counters.get(digits, 0) + 1
        self.counters[digits] = serial
        return f"{district}{digits}{serial:04d}"


class Generator:
    """Rows come out as lists of cells in our dialect (HOUSEHOLD_FIELDS / MEMBER_FIELDS order)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.niks, self.kks = _Serials(), _Serials()
        self.housing = [[_Choice(tuple(m.value for m in HOUSING_FIELDS[field]), w) for w in profiles]  # type: ignore[union-attr]
                        for field, profiles in HOUSING.items()]
        self.education = [_Choice(("none", "primary", "junior_secondary", "senior_secondary", "diploma",
                                   "bachelor", "postgraduate"), w) for w in ADULT_EDUCATION]
        self.occupation = [_Choice(OCCUPATIONS, w) for w in OCCUPATION_WEIGHTS]

    def _int(self, low: int, high: int) -> int:
        """randint without its overhead (it dominated the profile)."""
        return low + int(self.rng.random() * (high - low + 1))

    def household(self, village: Village, shift: float, extreme_given_poorest: float
                  ) -> tuple[list[str], list[list[str]]]:
        rng, draw = self.rng, self.rng.random
        desil = bisect(DESIL_CUTS, rng.gauss(shift, 1.0)) + 1
        extreme = desil <= 2 and draw() < extreme_given_poorest
        profile = 0 if desil <= 2 else 1 if desil <= 4 else 2 if desil <= 7 else 3
        registered = date.fromordinal(self._int(_KK_EARLIEST, _REFERENCE))
        no_kk = self.kks.next(village.district,
                              f"{registered.day:02d}{registered.month:02d}{registered.year % 100:02d}")
        if village.rural:
            address = f"Dusun {self._int(1, 6)}, RT {self._int(1, 12):03d}/RW {self._int(1, 5):03d}"
        else:
            address = f"Jl. {SECOND[self._int(0, len(SECOND) - 1)]} No. {self._int(1, 150)}, RT {self._int(1, 20):03d}"
        low, high = FLOOR_AREA[profile]
        row = [no_kk, "", village.code, address, str(desil), "true" if extreme else "false",
               f"{low + draw() * (high - low):.1f}", *[choices[profile](draw()) for choices in self.housing]]
        return row, self._family(no_kk, village, profile)

    def _family(self, no_kk: str, village: Village, profile: int) -> list[list[str]]:
        draw = self.rng.random
        head_age = 19 + int(self.rng.triangular(0, 62, 18))
        head_male = draw() < 0.86
        people = [self._person(no_kk, village, profile, "head", head_age, head_male)]
        mother_age = head_age if not head_male else None
        if draw() < (0.82 if head_age < 65 else 0.55):
            spouse_age = max(17, head_age + (self._int(-8, 2) if head_male else self._int(-2, 8)))
            people.append(self._person(no_kk, village, profile, "spouse", spouse_age, not head_male))
            mother_age = spouse_age if head_male else head_age
        if mother_age is not None or draw() < 0.3:
            room = max(0, min((mother_age or head_age) - 17, 30))
            children = min(bisect((18, 42, 70, 87, 95), draw() * 100), room, 1 if head_age > 62 else 9)
            for _ in range(children):
                people.append(self._person(no_kk, village, profile, "child", self._int(0, room), draw() < 0.51))
        if head_age < 55 and draw() < 0.1:
            people.append(self._person(no_kk, village, profile, "parent", min(head_age + self._int(20, 32), 95),
                                       draw() < 0.4))
        if head_age >= 50 and draw() < 0.15:
            people.append(self._person(no_kk, village, profile, "grandchild", self._int(0, 10), draw() < 0.51))
        return people

    def _person(self, no_kk: str, village: Village, profile: int, relationship: str, age: int,
                male: bool) -> list[str]:
        draw = self.rng.random
        born = date.fromordinal(_REFERENCE - int((age + draw()) * 365.2425))
        day = born.day + (0 if male else 40)
        nik = self.niks.next(village.district, f"{day:02d}{born.month:02d}{born.year % 100:02d}")
        if draw() < 0.005:  # a birth date corrected after the NIK was issued (DOMAIN.md section 2)
            born = date.fromordinal(min(born.toordinal() + self._int(1, 400), _REFERENCE))
        first = MALE if male else FEMALE
        name = first[int(draw() * len(first))]
        if draw() < 0.7:
            name += " " + SECOND[int(draw() * len(SECOND))]
        education, school, occupation = self._schooling(age, profile)
        if not occupation and age >= 18:
            occupation = "housekeeping" if not male and relationship == "spouse" and draw() < 0.6 else (
                "none" if age >= 65 and draw() < 0.6 else self.occupation[profile](draw()))
        disability = draw() < (0.015 if age < 60 else 0.06)
        chronic = draw() < (0.03 if age < 40 else 0.12 if age < 60 else 0.3)
        pregnant = not male and 18 <= age <= 42 and relationship != "child" and draw() < 0.05
        return [no_kk, nik, name, "M" if male else "F", born.isoformat(), relationship, education, school,
                occupation, _BOOL[disability], _BOOL[chronic], _BOOL[pregnant]]

    def _schooling(self, age: int, profile: int) -> tuple[str, str, str]:
        draw = self.rng.random
        stays = (0.86, 0.9, 0.95, 0.98)[profile]
        if age < 5:
            return "", "not_yet", ""
        if age < 7:
            return "none", "enrolled" if draw() < 0.5 else "not_yet", ""
        if age < 13:
            return "none", "enrolled" if draw() < stays else "dropped_out", "student"
        if age < 19:
            enrolled = draw() < stays - (0.25 if age >= 16 else 0.05)
            level = "primary" if age < 16 else "junior_secondary"
            return level, "enrolled" if enrolled else "dropped_out", "student" if enrolled else ""
        education = self.education[max(0, profile - (1 if age >= 60 else 0))](draw())
        return education, "never" if education == "none" else "dropped_out", ""


_BOOL = {True: "true", False: "false"}


def generate(households: int, seed: int, out: Path, dialect: str = "sinergi",
             progress: Callable[[int], None] | None = None) -> Generated:
    target: Dialect = DTSEN if dialect == "dtsen" else OURS
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(seed)
    villages = lampung_villages()
    per_regency = allocate(households, [r.population for r in REGENCIES])
    h_header, h_encode = _encoder(target, FileKind.households)
    m_header, m_encode = _encoder(target, FileKind.members)
    written_households = written_members = 0
    h_path, m_path = out / "households.csv", out / "members.csv"
    with h_path.open("w", newline="", encoding="utf-8") as h_file, \
            m_path.open("w", newline="", encoding="utf-8") as m_file:
        h_writer, m_writer = csv.writer(h_file, lineterminator="\n"), csv.writer(m_file, lineterminator="\n")
        h_writer.writerow(h_header)
        m_writer.writerow(m_header)
        for regency, count in zip(REGENCIES, per_regency, strict=True):
            places = villages[regency.code]
            weights = [(1.0 if v.rural else 2.5) * generator.rng.lognormvariate(0, 0.5) for v in places]
            counts = allocate(count, weights)
            rural = sum(n for v, n in zip(places, counts, strict=True) if v.rural) / max(count, 1)
            rates = area_rates(regency, rural)
            for village, n in zip(places, counts, strict=True):
                rate = rates[village.rural]
                for _ in range(n):
                    household, people = generator.household(village, rate.welfare_shift,
                                                             rate.extreme_given_poorest)
                    h_writer.writerow(h_encode(household))
                    m_writer.writerows(map(m_encode, people))
                    written_members += len(people)
                written_households += n
                if progress is not None and n:
                    progress(n)
    return Generated(written_households, written_members, h_path, m_path)


def _encoder(dialect: Dialect, kind: FileKind) -> tuple[list[str], Callable[[list[str]], list[str]]]:
    """The header and a row converter from our cells to `dialect`'s: per-column lookup tables."""
    fields = FIELDS[kind]
    by_field = {c.field: c for c in dialect.columns(kind) if c.field is not None}
    header = [by_field[f].header for f in fields]
    if dialect is OURS:
        return header, lambda row: row
    tables: list[dict[str, str] | None] = []
    for field in fields:
        ours = next(c for c in OURS.columns(kind) if c.field == field)
        if ours.codes is None:
            tables.append(None)
            continue
        table = {"": ""}
        for cell, value in ours.codes.items():
            try:
                table[cell] = encode(dialect, kind, field, value)
            except StopIteration:  # no code for it in this dialect (DTSEN has no "not yet in school")
                table[cell] = ""
        tables.append(table)
    region = fields.index("region_code") if "region_code" in fields else -1

    def convert(row: list[str]) -> list[str]:
        cells = [cell if table is None else table[cell] for cell, table in zip(row, tables, strict=True)]
        if region >= 0:  # DTSEN-style files carry the village code undotted
            cells[region] = cells[region].replace(".", "")
        return cells

    return header, convert
