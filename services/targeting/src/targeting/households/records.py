"""Plain, unmasked JSON forms of households and members: what the feed carries for mirroring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from targeting.households.codes import HOUSING_FIELDS
from targeting.households.models import Household, Member


def household_record(household: Household) -> dict[str, Any]:
    return {
        "id": str(household.id), "no_kk": household.no_kk, "id_dtks": household.id_dtks,
        "region_code": household.region_code, "address": household.address,
        "welfare_decile": household.welfare_decile, "extreme_poor": household.extreme_poor,
        "housing": {field: getattr(household, field) for field in HOUSING_FIELDS},
        "status": household.status, "inactive_reason": household.inactive_reason, "version": household.version,
    }


def member_record(member: Member, region_code: str) -> dict[str, Any]:
    return {
        "id": str(member.id), "household_id": str(member.household_id), "region_code": region_code,
        "nik": member.nik, "name": member.name, "sex": member.sex, "birth_date": member.birth_date.isoformat(),
        "relationship": member.relationship, "education": member.education,
        "school_participation": member.school_participation, "occupation": member.occupation,
        "disability": member.disability, "chronic_illness": member.chronic_illness, "pregnant": member.pregnant,
        "status": member.status, "inactive_reason": member.inactive_reason,
        "data_quality": list(member.data_quality or []), "version": member.version,
    }


def household_record_sql(column: Callable[[str], str]) -> str:
    """The SQL twin of household_record for set-wise writers (bulk import): a jsonb expression with the
    same keys and JSON types, built from `column(field)` expressions. Tested against the Python form.
    to_jsonb of a row measured ~20 % cheaper than jsonb_build_object with the same pairs."""
    housing = ", ".join(f"{column(f)}{'::float8' if f == 'floor_area_m2' else ''} AS {f}" for f in HOUSING_FIELDS)
    fields = [f"{column(f)} AS {f}" for f in ("id", "no_kk", "id_dtks", "region_code", "address", "welfare_decile",
                                               "extreme_poor")]
    # Expressions from this module's field names and the caller's column expressions, never from input.
    fields += [f"(SELECT to_jsonb(h) FROM (SELECT {housing}) h) AS housing"]  # noqa: S608
    fields += [f"{column(f)} AS {f}" for f in ("status", "inactive_reason", "version")]
    return f"(SELECT to_jsonb(r) FROM (SELECT {', '.join(fields)}) r)"  # noqa: S608


def member_record_sql(column: Callable[[str], str]) -> str:
    """The SQL twin of member_record; `column("region_code")` is the family's region."""
    fields = ("id", "household_id", "region_code", "nik", "name", "sex", "birth_date", "relationship", "education",
              "school_participation", "occupation", "disability", "chronic_illness", "pregnant", "status",
              "inactive_reason", "data_quality", "version")
    return f"(SELECT to_jsonb(r) FROM (SELECT {', '.join(f'{column(f)} AS {f}' for f in fields)}) r)"  # noqa: S608
