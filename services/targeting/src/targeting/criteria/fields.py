"""The whitelist: which fields a criteria tree may name, their types, and the operators each type takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from targeting.households.codes import (
    HOUSING_FIELDS,
    Education,
    Occupation,
    Relationship,
    SchoolParticipation,
    Sex,
)


class Op(StrEnum):
    eq = "eq"
    ne = "ne"
    lt = "lt"
    lte = "lte"
    gt = "gt"
    gte = "gte"
    in_ = "in"
    between = "between"
    is_null = "is_null"


class Kind(StrEnum):
    integer = "integer"
    number = "number"
    boolean = "boolean"
    enum = "enum"
    ordinal = "ordinal"
    date = "date"
    region = "region"


ALL_OPS = frozenset(Op)
OPS_BY_KIND: dict[Kind, frozenset[Op]] = {
    Kind.integer: ALL_OPS,
    Kind.number: ALL_OPS,
    Kind.date: ALL_OPS,
    Kind.ordinal: ALL_OPS,
    Kind.enum: frozenset({Op.eq, Op.ne, Op.in_, Op.is_null}),
    Kind.boolean: frozenset({Op.eq, Op.ne, Op.is_null}),
    Kind.region: frozenset({Op.eq, Op.ne, Op.in_, Op.is_null}),
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    description: str
    # The mapped attribute on Household or Member; None for computed fields (member_count, age).
    column: str | None
    values: tuple[str, ...] = field(default=())
    minimum: float | None = None
    maximum: float | None = None

    @property
    def ops(self) -> frozenset[Op]:
        return OPS_BY_KIND[self.kind]


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


HOUSEHOLD_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec for spec in (
        FieldSpec("welfare_decile", Kind.integer, "National welfare decile 1-10 (1 poorest); null = not ranked.",
                  "welfare_decile", minimum=1, maximum=10),
        FieldSpec("extreme_poor", Kind.boolean, "Extreme-poverty flag.", "extreme_poor"),
        FieldSpec("region_code", Kind.region, "The household's village. `eq`, `ne` and `in` compare by subtree: "
                  "`eq 18.71` holds for every village of Kota Bandar Lampung, `eq` on a village code is plain "
                  "equality (households always sit at villages).", "region_code"),
        FieldSpec("member_count", Kind.integer, "Number of active members.", None, minimum=0, maximum=100),
        FieldSpec("housing.floor_area_m2", Kind.number, "Floor area in m2.", "floor_area_m2",
                  minimum=0, maximum=100_000),
        *(FieldSpec(f"housing.{name}", Kind.enum, f"Housing: {name}.", name, values=_values(enum))
          for name, enum in HOUSING_FIELDS.items() if enum is not None),
    )
}

MEMBER_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec for spec in (
        FieldSpec("sex", Kind.enum, "M or F.", "sex", values=_values(Sex)),
        FieldSpec("birth_date", Kind.date, "Birth date (YYYY-MM-DD).", "birth_date"),
        FieldSpec("age", Kind.integer, "Completed years at `as_of`.", None, minimum=0, maximum=150),
        FieldSpec("relationship", Kind.enum, "Relationship to the head.", "relationship",
                  values=_values(Relationship)),
        FieldSpec("education", Kind.ordinal, "Highest education; ordered none < primary < junior_secondary < "
                  "senior_secondary < diploma < bachelor < postgraduate, so `lte primary` means at most SD.",
                  "education", values=_values(Education)),
        FieldSpec("school_participation", Kind.enum, "School participation.", "school_participation",
                  values=_values(SchoolParticipation)),
        FieldSpec("occupation", Kind.enum, "Main occupation.", "occupation", values=_values(Occupation)),
        FieldSpec("disability", Kind.boolean, "Has a disability.", "disability"),
        FieldSpec("chronic_illness", Kind.boolean, "Has a chronic illness.", "chronic_illness"),
        FieldSpec("pregnant", Kind.boolean, "Is pregnant.", "pregnant"),
    )
}


def describe_fields() -> str:
    """The whitelist as Markdown, for the OpenAPI description: generated, so it cannot drift."""
    def line(spec: FieldSpec) -> str:
        extra = f" Values: {', '.join(spec.values)}." if spec.values else ""
        return f"- `{spec.name}` ({spec.kind}; ops {', '.join(sorted(o.value for o in spec.ops))}): " \
               f"{spec.description}{extra}"

    return "\n".join(["Household fields:", *(line(s) for s in HOUSEHOLD_FIELDS.values()),
                      "", "Member fields (inside `member`):", *(line(s) for s in MEMBER_FIELDS.values())])
