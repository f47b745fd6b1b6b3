"""The two column dialects an import accepts (ours and DTSEN-style), with one code map per source.

Ours uses the API's field names and string codes. DTSEN-style files carry numeric codes; their maps follow
the BDT-2015 questionnaire lists in DOMAIN.md section 4 where DTSEN kept them, and are marked [U] where the
numbering is an assumption (DOMAIN.md: "keep one code map per source"). Changing a source's numbering
means editing its map here, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from targeting.households.codes import (
    CookingFuel,
    DrinkingWater,
    Education,
    Floor,
    Lighting,
    Occupation,
    Relationship,
    Roof,
    SchoolParticipation,
    Sex,
    Toilet,
    Wall,
)


class FileKind(StrEnum):
    households = "households"
    members = "members"


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # the registry field it fills; None: validated, not stored
    kind: str  # how a cell is read: no_kk nik name address id_dtks region decile area date code
    codes: Mapping[str, Any] | None = None
    required: bool = False
    note: str = ""


@dataclass(frozen=True)
class Dialect:
    name: str
    households: tuple[Column, ...]
    members: tuple[Column, ...]
    ignores_unknown_columns: bool  # DTSEN exports carry dozens of columns the registry does not keep

    def columns(self, kind: FileKind) -> tuple[Column, ...]:
        return self.households if kind is FileKind.households else self.members


def _enum_codes(enum: type[StrEnum]) -> dict[str, str]:
    return {member.value: member.value for member in enum}


OUR_BOOLEAN = {"true": True, "false": False, "TRUE": True, "FALSE": False, "True": True, "False": False}

OURS = Dialect(
    name="sinergi",
    ignores_unknown_columns=False,
    households=(
        Column("no_kk", "no_kk", "no_kk", required=True),
        Column("id_dtks", "id_dtks", "id_dtks"),
        Column("region_code", "region_code", "region", required=True),
        Column("address", "address", "address"),
        Column("welfare_decile", "welfare_decile", "decile"),
        Column("extreme_poor", "extreme_poor", "code", OUR_BOOLEAN),
        Column("floor_area_m2", "floor_area_m2", "area"),
        Column("floor", "floor", "code", _enum_codes(Floor)),
        Column("wall", "wall", "code", _enum_codes(Wall)),
        Column("roof", "roof", "code", _enum_codes(Roof)),
        Column("drinking_water", "drinking_water", "code", _enum_codes(DrinkingWater)),
        Column("lighting", "lighting", "code", _enum_codes(Lighting)),
        Column("cooking_fuel", "cooking_fuel", "code", _enum_codes(CookingFuel)),
        Column("toilet", "toilet", "code", _enum_codes(Toilet)),
    ),
    members=(
        Column("no_kk", "no_kk", "no_kk", required=True, note="the family's No. KK"),
        Column("nik", "nik", "nik", required=True),
        Column("name", "name", "name", required=True),
        Column("sex", "sex", "code", _enum_codes(Sex), required=True),
        Column("birth_date", "birth_date", "date", required=True),
        Column("relationship", "relationship", "code", _enum_codes(Relationship), required=True),
        Column("education", "education", "code", _enum_codes(Education)),
        Column("school_participation", "school_participation", "code", _enum_codes(SchoolParticipation)),
        Column("occupation", "occupation", "code", _enum_codes(Occupation)),
        Column("disability", "disability", "code", OUR_BOOLEAN),
        Column("chronic_illness", "chronic_illness", "code", OUR_BOOLEAN),
        Column("pregnant", "pregnant", "code", OUR_BOOLEAN),
    ),
)

# --- DTSEN-style codes -------------------------------------------------------------------------------

YA_TIDAK = {"1": True, "2": False}
# BDT sub-items of the asset question number their answers 3 = Ya, 4 = Tidak (DOMAIN.md section 4).
YA_TIDAK_SUBITEM = {"3": True, "4": False}


def _numbered(enum: type[StrEnum]) -> dict[str, str]:
    """Questionnaire order: the housing enums list their members in the BDT code order (1, 2, ...)."""
    return {str(number): member.value for number, member in enumerate(enum, start=1)}


FLOOR_CODES = _numbered(Floor)
WALL_CODES = _numbered(Wall)
ROOF_CODES = _numbered(Roof)
WATER_CODES = _numbered(DrinkingWater)
LIGHTING_CODES = _numbered(Lighting)
COOKING_CODES = _numbered(CookingFuel)
TOILET_CODES = _numbered(Toilet)
SEX_CODES = {"1": Sex.male.value, "2": Sex.female.value}
# Hub_KRT [U]: 1 kepala, 2 istri/suami, 3 anak, 4 menantu, 5 cucu, 6 orang tua/mertua, 7 pembantu, 8 lainnya.
RELATIONSHIP_CODES = {"1": "head", "2": "spouse", "3": "child", "4": "other", "5": "grandchild", "6": "parent",
                      "7": "other", "8": "other"}
# Dukcapil education in the KK [U]: 1 tidak/belum sekolah, 2 belum tamat SD, 3 SD, 4 SLTP, 5 SLTA, 6 D1/D2,
# 7 D3, 8 D4/S1, 9 S2, 10 S3.
EDUCATION_CODES = {"1": "none", "2": "none", "3": "primary", "4": "junior_secondary", "5": "senior_secondary",
                   "6": "diploma", "7": "diploma", "8": "bachelor", "9": "postgraduate", "10": "postgraduate"}
# Partisipasi sekolah [U]: 0 tidak/belum pernah sekolah, 1 masih sekolah, 2 tidak bersekolah lagi.
SCHOOL_CODES = {"0": "never", "1": "enrolled", "2": "dropped_out"}
# Dukcapil occupation (SIAK) numbering [U]; 89 "lainnya" has no registry code and is stored as unknown.
OCCUPATION_CODES = {
    "1": "none", "2": "housekeeping", "3": "student", "4": "none", "5": "civil_servant", "6": "civil_servant",
    "7": "civil_servant", "8": "trader", "9": "farmer", "10": "farmer", "11": "fisher", "12": "private_employee",
    "13": "labourer", "14": "private_employee", "15": "private_employee", "16": "private_employee",
    "17": "private_employee", "18": "private_employee", "19": "labourer", "20": "labourer", "21": "labourer",
    "22": "labourer", "23": "labourer", "88": "self_employed", "89": None,
}

# Assets are checked (a code outside the column's Ya/Tidak pair refuses the row) but not stored: the
# registry has no asset fields yet. DTKS `ada_*` names keep the BDT numbering, quirk included.
_DTKS_SUBITEM_ASSETS = ("lemari_es", "pemanas", "tv", "laptop")
_DTKS_ASSETS = ("tabung_gas", "ac", "telepon", "emas", "sepeda", "motor", "mobil", "perahu", "motor_tempel",
                "perahu_motor", "kapal", *_DTKS_SUBITEM_ASSETS)
_DTSEN_ASSETS = ("tabung_gas", "lemari_es", "ac", "pemanas_air", "telepon_rumah", "tv_datar", "emas_perhiasan",
                 "komputer_laptop_tablet", "sepeda_motor", "sepeda", "mobil", "perahu", "kapal_perahu_motor",
                 "smartphone")
ASSET_COLUMNS = tuple(
    [Column(f"aset_bergerak_{name}", None, "code", YA_TIDAK, note="1 Ya, 2 Tidak; checked, not stored")
     for name in _DTSEN_ASSETS]
    + [Column(f"ada_{name}", None, "code", YA_TIDAK_SUBITEM if name in _DTKS_SUBITEM_ASSETS else YA_TIDAK,
              note=("3 Ya, 4 Tidak" if name in _DTKS_SUBITEM_ASSETS else "1 Ya, 2 Tidak") + "; checked, not stored")
       for name in _DTKS_ASSETS]
)

DTSEN = Dialect(
    name="dtsen",
    ignores_unknown_columns=True,
    households=(
        Column("no_kk", "no_kk", "no_kk", required=True),
        Column("idbdt", "id_dtks", "id_dtks", note="legacy DTKS household id"),
        Column("kode_wilayah", "region_code", "region", required=True,
               note="Kemendagri village code, dotted (18.71.01.1003) or 10 digits (1871011003)"),
        Column("alamat", "address", "address"),
        Column("desil_nasional_keluarga", "welfare_decile", "decile"),
        Column("kemiskinan_ekstrem", "extreme_poor", "code", YA_TIDAK, note="1 Ya, 2 Tidak [U]"),
        Column("luas_lantai_bangunan", "floor_area_m2", "area"),
        Column("id_lantai_terluas", "floor", "code", FLOOR_CODES),
        Column("id_dinding_terluas", "wall", "code", WALL_CODES),
        Column("id_atap_terluas", "roof", "code", ROOF_CODES),
        Column("id_sumber_airminum", "drinking_water", "code", WATER_CODES),
        Column("id_sumberpenerangan", "lighting", "code", LIGHTING_CODES),
        Column("id_bb_utama", "cooking_fuel", "code", COOKING_CODES),
        Column("id_fasilitas_bab", "toilet", "code", TOILET_CODES),
        *ASSET_COLUMNS,
    ),
    members=(
        Column("no_kk", "no_kk", "no_kk", required=True, note="the family's No. KK"),
        Column("nik", "nik", "nik", required=True),
        Column("nama", "name", "name", required=True),
        Column("id_jenis_kelamin", "sex", "code", SEX_CODES, required=True),
        Column("tanggal_lahir", "birth_date", "date", required=True,
               note="YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY; DTSEN exports carry only age, add it from Dukcapil"),
        Column("id_hub_kepala_keluarga", "relationship", "code", RELATIONSHIP_CODES, required=True),
        Column("id_jenjang_pendidikan_dukcapil", "education", "code", EDUCATION_CODES),
        Column("id_partisipasi_sekolah", "school_participation", "code", SCHOOL_CODES),
        Column("id_pekerjaan_utama", "occupation", "code", OCCUPATION_CODES),
        Column("id_disabilitas", "disability", "code", YA_TIDAK, note="1 Ya, 2 Tidak [U]"),
        Column("id_penyakit_menahun", "chronic_illness", "code", YA_TIDAK, note="1 Ya, 2 Tidak [U]"),
        Column("status_hamil", "pregnant", "code", YA_TIDAK, note="1 Ya, 2 Tidak [U]"),
    ),
)

DIALECTS = (OURS, DTSEN)


def encode(dialect: Dialect, kind: FileKind, field: str, value: Any) -> str:
    """The cell a dialect writes for a registry value: the first code that maps to it (used by the generator)."""
    if value is None:
        return ""
    column = next(c for c in dialect.columns(kind) if c.field == field)
    if column.codes is None:
        return str(value)
    return next(code for code, mapped in column.codes.items() if mapped == value and type(mapped) is type(value))


def _describe_column(column: Column) -> str:
    text = f"`{column.header}`" + (" (required)" if column.required else "")
    if column.field is not None and column.field != column.header:
        text += f" → `{column.field}`"
    if column.codes is not None and column.note == "" and len(column.codes) <= 30:
        shown = {code: value for code, value in column.codes.items() if code not in ("TRUE", "FALSE", "True", "False")}
        text += ": " + ", ".join(code if code in (str(value), str(value).lower()) else
                                 f"{code} = {'unknown' if value is None else value}" for code, value in shown.items())
    if column.note:
        text += f" ({column.note})"
    return text


def describe() -> str:
    """Both dialects' columns and codes, for the OpenAPI description of POST /api/v1/imports."""
    parts = []
    for dialect in DIALECTS:
        title = "Sinergi (the API's field names)" if dialect is OURS else "DTSEN-style (numeric codes)"
        extra = ("Unknown columns are refused." if not dialect.ignores_unknown_columns
                 else "Other columns of a DTSEN export are ignored. Codes marked [U] follow an assumed numbering.")
        parts.append(f"**{title}.** {extra}")
        for kind in FileKind:
            parts.append(f"- `{kind.value}`: " + "; ".join(_describe_column(c) for c in dialect.columns(kind)
                                                        if not c.header.startswith(("aset_bergerak_", "ada_"))))
        if dialect is DTSEN:
            parts.append("- also in `households`, checked but not stored: " + ", ".join(
                f"`{c.header}` ({c.note.split(';')[0]})" for c in ASSET_COLUMNS))
    return "\n\n".join(parts)
