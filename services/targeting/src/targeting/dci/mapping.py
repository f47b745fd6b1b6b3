"""Our households and members as DCI Group, Member and Person records, masked without pii:read.

Household -> Group: @id urn:sinergi:household:<id>; group_identifier NO_KK (+ ID_DTKS); group_type family;
place.address (pii only); poverty_score = welfare_decile with poverty_score_type dtks_welfare_decile;
group_head_info = the active head; group_size and member_list = the active members; registration_date and
last_updated = created_at and updated_at; additional_attributes region_code, welfare_decile, extreme_poor,
status, inactive_reason, housing.
Member -> Member: member_identifier NIK; demographic_info the Person; is_disabled = disability;
relationship_head = relationship; education_level, occupation; additional_attributes school_participation,
chronic_illness, pregnant, status, inactive_reason, household_id, no_kk, region_code.
Member -> Person (SRPerson): identifier NIK; name.given_name the whole name (surname empty); sex male|female;
birth_date the date at midnight UTC; registration_date created_at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from kit.privacy import initials, mask_identifier
from targeting.dci.schemas import (
    GroupRecord,
    Identifier,
    MemberRecord,
    PersonName,
    PersonRecord,
    Place,
    SearchResponse,
)
from targeting.households.codes import HOUSING_FIELDS
from targeting.households.models import Household, Member

CONTEXT = {"spdci": "https://schema.spdci.org/extensions/social/v1/", "common": "https://schema.spdci.org/common/v1/"}
URN = "urn:sinergi:"
SEX = {"M": "male", "F": "female"}


def _urn(kind: str, id_: uuid.UUID) -> str:
    return f"{URN}{kind}:{id_}"


def _attributes(**values: Any) -> list[dict[str, Any]]:
    return [{key: value} for key, value in values.items() if value is not None]


def person(member: Member, *, pii: bool) -> PersonRecord:
    nik = member.nik if pii else mask_identifier(member.nik)
    return PersonRecord(
        id_=_urn("person", member.id), identifier=[Identifier(identifier_type="NIK", identifier_value=nik or "")],
        name=PersonName(given_name=(member.name if pii else initials(member.name)) or ""),
        sex=SEX[member.sex], birth_date=f"{member.birth_date.isoformat()}T00:00:00Z",
        registration_date=member.created_at,
    )


def member(member: Member, household: Household, *, pii: bool) -> MemberRecord:
    demographic = person(member, pii=pii)
    return MemberRecord(
        id_=_urn("member", member.id), member_identifier=demographic.identifier, demographic_info=demographic,
        is_disabled=member.disability, relationship_head=member.relationship, education_level=member.education,
        occupation=member.occupation, registration_date=member.created_at, last_updated=member.updated_at,
        additional_attributes=_attributes(
            school_participation=member.school_participation, chronic_illness=member.chronic_illness,
            pregnant=member.pregnant, status=member.status, inactive_reason=member.inactive_reason,
            household_id=str(household.id), no_kk=household.no_kk if pii else mask_identifier(household.no_kk),
            region_code=household.region_code),
    )


def group(household: Household, members: Sequence[Member], *, pii: bool) -> GroupRecord:
    records = [member(m, household, pii=pii) for m in members]
    identifiers = [Identifier(identifier_type="NO_KK",
                              identifier_value=(household.no_kk if pii else mask_identifier(household.no_kk)) or "")]
    if household.id_dtks:
        identifiers.append(Identifier(identifier_type="ID_DTKS", identifier_value=household.id_dtks))
    head = next((r for r, m in zip(records, members, strict=True) if m.relationship == "head"), None)
    return GroupRecord(
        context=CONTEXT, id_=_urn("household", household.id), group_identifier=identifiers,
        place=Place(address=household.address) if pii and household.address else None,
        poverty_score=household.welfare_decile,
        poverty_score_type="dtks_welfare_decile" if household.welfare_decile is not None else None,
        group_head_info=head, group_size=len(records), member_list=records,
        registration_date=household.created_at, last_updated=household.updated_at,
        additional_attributes=_attributes(
            region_code=household.region_code, welfare_decile=household.welfare_decile,
            extreme_poor=household.extreme_poor, status=household.status, inactive_reason=household.inactive_reason,
            housing={field: getattr(household, field) for field in HOUSING_FIELDS}),
    )


# --- stored answers read back (txn/status) ----------------------------------------------------------------


def _mask_identifiers(identifiers: Iterable[Identifier]) -> None:
    for identifier in identifiers:
        if identifier.identifier_type in ("NIK", "NO_KK"):
            identifier.identifier_value = mask_identifier(identifier.identifier_value) or ""


def _mask_person(record: PersonRecord) -> None:
    _mask_identifiers(record.identifier)
    record.name.given_name = initials(record.name.given_name) or ""


def _mask_member(record: MemberRecord) -> None:
    _mask_identifiers(record.member_identifier)
    _mask_person(record.demographic_info)
    for entry in record.additional_attributes:
        if "no_kk" in entry:
            entry["no_kk"] = mask_identifier(entry["no_kk"])


def mask(response: SearchResponse) -> None:
    """Mask a stored answer in place for a reader without pii:read; masking masked data changes nothing."""
    for item in response.search_response:
        for record in item.data.reg_records if item.data else []:
            if isinstance(record, GroupRecord):
                _mask_identifiers(record.group_identifier)
                record.place = None
                for m in record.member_list:
                    _mask_member(m)
                if record.group_head_info is not None:
                    _mask_member(record.group_head_info)
            elif isinstance(record, MemberRecord):
                _mask_member(record)
            else:
                _mask_person(record)


def record_ids(records: Iterable[GroupRecord | MemberRecord | PersonRecord]
               ) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """(household ids, member ids) disclosed by these records, for the audit trail."""
    households: list[uuid.UUID] = []
    members: list[uuid.UUID] = []
    for record in records:
        if isinstance(record, GroupRecord):
            households.append(uuid.UUID(record.id_.rsplit(":", 1)[1]))
            members.extend(uuid.UUID(m.id_.rsplit(":", 1)[1]) for m in record.member_list)
        else:
            members.append(uuid.UUID(record.id_.rsplit(":", 1)[1]))
    return households, list(dict.fromkeys(members))
