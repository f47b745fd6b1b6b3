"""The registry fields a DCI query may name, for Group and for Member/Person records: DCI names (from the
standard's examples) with our API's field names as aliases, each with its kind, operators and values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from targeting.dci.errors import ItemRejection
from targeting.households import codes

Entity = Literal["group", "member", "person"]
Kind = Literal["int", "number", "bool", "enum", "region", "identifier", "date", "datetime", "age", "year"]

ORDERED = frozenset({"lt", "le", "gt", "ge"})
EQUALITY = frozenset({"eq", "ne", "in", "nin"})


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: Kind
    level: Literal["group", "member"]
    choices: frozenset[str] = frozenset()

    @property
    def operators(self) -> frozenset[str]:
        if self.kind in ("bool", "enum", "region", "identifier"):
            return frozenset({"eq", "ne"}) if self.kind == "bool" else EQUALITY
        return EQUALITY | ORDERED


def _choices(enum: type[StrEnum]) -> frozenset[str]:
    return frozenset(e.value for e in enum)


_HOUSING = {f"housing.{name}": (Attribute(f"housing.{name}", "enum", "group", _choices(enum)) if enum else
                                Attribute(f"housing.{name}", "number", "group"))
            for name, enum in codes.HOUSING_FIELDS.items()}

_GROUP_OWN: dict[str, Attribute] = {
    "no_kk": Attribute("no_kk", "identifier", "group"),
    "welfare_decile": Attribute("welfare_decile", "int", "group"),
    "extreme_poor": Attribute("extreme_poor", "bool", "group"),
    "region_code": Attribute("region_code", "region", "group"),
    **_HOUSING,
}
_GROUP_ALIASES = {"group_identifier": "no_kk", "kk": "no_kk", "poverty_score": "welfare_decile",
                  "location": "region_code"}

GROUP: dict[str, Attribute] = {
    **_GROUP_OWN,
    "nik": Attribute("member_nik", "identifier", "group"),
    "group_size": Attribute("group_size", "int", "group"),
    "status": Attribute("status", "enum", "group", _choices(codes.Status)),
    "registration_date": Attribute("registration_date", "datetime", "group"),
    "last_updated": Attribute("last_updated", "datetime", "group"),
}
GROUP_ALIASES = {**_GROUP_ALIASES, "identifier": "nik", "member_identifier": "nik", "member_count": "group_size",
                 "created_at": "registration_date", "updated_at": "last_updated"}

MEMBER: dict[str, Attribute] = {
    "nik": Attribute("nik", "identifier", "member"),
    "sex": Attribute("sex", "enum", "member", frozenset({"male", "female"})),
    "birth_date": Attribute("birth_date", "date", "member"),
    "yob": Attribute("yob", "year", "member"),
    "age": Attribute("age", "age", "member"),
    "relationship_head": Attribute("relationship", "enum", "member", _choices(codes.Relationship)),
    "education_level": Attribute("education", "enum", "member", _choices(codes.Education)),
    "occupation": Attribute("occupation", "enum", "member", _choices(codes.Occupation)),
    "school_participation": Attribute("school_participation", "enum", "member",
                                      _choices(codes.SchoolParticipation)),
    "is_disabled": Attribute("disability", "bool", "member"),
    "chronic_illness": Attribute("chronic_illness", "bool", "member"),
    "pregnant": Attribute("pregnant", "bool", "member"),
    "status": Attribute("status", "enum", "member", _choices(codes.Status)),
    "registration_date": Attribute("registration_date", "datetime", "member"),
    "last_updated": Attribute("last_updated", "datetime", "member"),
    **_GROUP_OWN,
}
MEMBER_ALIASES = {**_GROUP_ALIASES, "identifier": "nik", "member_identifier": "nik", "dob": "birth_date",
                  "birth_year": "yob", "relationship": "relationship_head", "education": "education_level",
                  "disability": "is_disabled", "created_at": "registration_date", "updated_at": "last_updated"}

SORTABLE_KINDS = frozenset({"int", "number", "date", "datetime", "age", "year", "region"})
IDENTIFIER_TYPES = {"NIK": "nik", "NO_KK": "no_kk", "KK": "no_kk"}


def attribute(entity: Entity, name: str, *, reason: str = "rjct.filter.invalid") -> Attribute:
    catalogue, aliases = (GROUP, GROUP_ALIASES) if entity == "group" else (MEMBER, MEMBER_ALIASES)
    key = name.strip().lower()
    found = catalogue.get(aliases.get(key, key))
    if found is None:
        raise ItemRejection(reason, f"Unknown {entity} attribute {name[:64]!r}; see docs/dci.md for the list.")
    return found
