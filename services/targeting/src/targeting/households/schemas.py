"""Wire format of households and members. Reads are masked without `pii:read`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kit.app import StrictModel
from kit.privacy import initials, mask_identifier
from targeting.households import rules
from targeting.households.codes import (
    CookingFuel,
    DrinkingWater,
    Education,
    Floor,
    InactiveReason,
    Lighting,
    Occupation,
    Relationship,
    Roof,
    SchoolParticipation,
    Sex,
    Status,
    Toilet,
    Wall,
)
from targeting.households.identifiers import check_nik, check_no_kk

VILLAGE_PATTERN = rules.VILLAGE_PATTERN


def _rule(check):  # type: ignore[no-untyped-def]
    """A shared rule (households.rules, households.identifiers) as a pydantic validator with the rule's code."""

    def validate(value):  # type: ignore[no-untyped-def]
        try:
            return check(value)
        except rules.RuleError as exc:
            raise PydanticCustomError(exc.code, exc.detail) from None

    return validate


Nik = Annotated[str, StringConstraints(max_length=32), AfterValidator(_rule(check_nik)),
                Field(description="16-digit NIK (Nomor Induk Kependudukan).", examples=["1871015708450001"])]
NoKK = Annotated[str, StringConstraints(max_length=32), AfterValidator(_rule(check_no_kk)),
                 Field(description="16-digit No. KK (family card number).", examples=["1871010101200001"])]
Name = Annotated[str, StringConstraints(min_length=1, max_length=rules.NAME_MAX_LENGTH),
                 AfterValidator(_rule(rules.plain_text))]
Address = Annotated[str, StringConstraints(max_length=rules.ADDRESS_MAX_LENGTH),
                    AfterValidator(_rule(rules.plain_text))]
IdDtks = Annotated[str, StringConstraints(max_length=rules.ID_DTKS_MAX_LENGTH),
                   AfterValidator(_rule(rules.plain_text))]
VillageCode = Annotated[str, Field(pattern=VILLAGE_PATTERN, description="Kemendagri village code.",
                                   examples=["18.71.01.1003"])]
BirthDate = Annotated[date, AfterValidator(_rule(rules.birth_date))]
Decile = Annotated[int, Field(ge=rules.DECILE_MIN, le=rules.DECILE_MAX,
                              description="National welfare decile (desil) 1-10; 1 is poorest.")]


class Housing(BaseModel):
    floor_area_m2: float | None = Field(default=None, ge=0, le=rules.FLOOR_AREA_MAX_M2)
    floor: Floor | None = None
    wall: Wall | None = None
    roof: Roof | None = None
    drinking_water: DrinkingWater | None = None
    lighting: Lighting | None = None
    cooking_fuel: CookingFuel | None = None
    toilet: Toilet | None = None


class HousingIn(Housing, StrictModel):
    pass


class MemberCreate(StrictModel):
    nik: Nik
    name: Name
    sex: Sex
    birth_date: BirthDate
    relationship: Relationship
    education: Education | None = None
    school_participation: SchoolParticipation | None = None
    occupation: Occupation | None = None
    disability: bool = False
    chronic_illness: bool = False
    pregnant: bool = False


class MemberUpdate(StrictModel):
    """Only the fields sent change; `status: inactive` needs `inactive_reason`."""

    nik: Nik | None = None
    name: Name | None = None
    sex: Sex | None = None
    birth_date: BirthDate | None = None
    relationship: Relationship | None = None
    education: Education | None = None
    school_participation: SchoolParticipation | None = None
    occupation: Occupation | None = None
    disability: bool | None = None
    chronic_illness: bool | None = None
    pregnant: bool | None = None
    status: Status | None = None
    inactive_reason: InactiveReason | None = None

    @model_validator(mode="after")
    def _reason_goes_with_inactive(self) -> MemberUpdate:
        if self.status == Status.inactive and self.inactive_reason is None:
            raise PydanticCustomError("inactive_reason_required", "Deactivating a member needs inactive_reason.")
        return self


class HouseholdCreate(StrictModel):
    no_kk: NoKK
    id_dtks: IdDtks | None = None
    region_code: VillageCode
    address: Address | None = None
    welfare_decile: Decile | None = None
    extreme_poor: bool = False
    housing: HousingIn = Field(default_factory=HousingIn)
    members: list[MemberCreate] = Field(min_length=1, max_length=60)

    @field_validator("members")
    @classmethod
    def _one_head_distinct_niks(cls, members: list[MemberCreate]) -> list[MemberCreate]:
        heads = sum(1 for m in members if m.relationship == Relationship.head)
        if heads != 1:
            raise PydanticCustomError("head_count", f"A family has exactly one head; this one has {heads}.")
        niks = [m.nik for m in members]
        if len(set(niks)) != len(niks):
            raise PydanticCustomError("duplicate_nik", "The same NIK appears twice in this family.")
        return members


class HouseholdUpdate(StrictModel):
    """Only the fields sent change (`housing` fields likewise); null clears an optional field."""

    no_kk: NoKK | None = None
    id_dtks: IdDtks | None = None
    region_code: VillageCode | None = None
    address: Address | None = None
    welfare_decile: Decile | None = None
    extreme_poor: bool | None = None
    housing: HousingIn | None = None


class Deactivation(StrictModel):
    reason: InactiveReason


class MemberRead(BaseModel):
    id: uuid.UUID
    household_id: uuid.UUID
    nik: str = Field(description="Masked (`************1234`) without the pii:read scope.")
    name: str = Field(description="Initials without the pii:read scope.")
    sex: Sex
    birth_date: date
    relationship: Relationship
    education: Education | None
    school_participation: SchoolParticipation | None
    occupation: Occupation | None
    disability: bool
    chronic_illness: bool
    pregnant: bool
    status: Status
    inactive_reason: InactiveReason | None
    data_quality: list[str] = Field(description="Warnings such as nik_sex_mismatch, nik_birth_date_mismatch.")
    version: int
    created_at: datetime
    updated_at: datetime


class HouseholdRead(BaseModel):
    id: uuid.UUID
    no_kk: str = Field(description="Masked without the pii:read scope.")
    id_dtks: str | None
    region_code: str
    address: str | None = Field(description="Omitted (null) without the pii:read scope.")
    welfare_decile: int | None
    extreme_poor: bool
    housing: Housing
    status: Status
    inactive_reason: InactiveReason | None
    version: int
    created_at: datetime
    updated_at: datetime
    members: list[MemberRead] | None = Field(default=None, description="Present in single reads.")


def member_read(member: Any, *, pii: bool) -> MemberRead:
    return MemberRead(
        id=member.id, household_id=member.household_id,
        nik=member.nik if pii else mask_identifier(member.nik), name=member.name if pii else initials(member.name),
        sex=member.sex, birth_date=member.birth_date, relationship=member.relationship,
        education=member.education, school_participation=member.school_participation,
        occupation=member.occupation, disability=member.disability, chronic_illness=member.chronic_illness,
        pregnant=member.pregnant, status=member.status, inactive_reason=member.inactive_reason,
        data_quality=list(member.data_quality or []), version=member.version,
        created_at=member.created_at, updated_at=member.updated_at,
    )


def housing_of(household: Any) -> Housing:
    return Housing(
        floor_area_m2=household.floor_area_m2, floor=household.floor, wall=household.wall, roof=household.roof,
        drinking_water=household.drinking_water, lighting=household.lighting,
        cooking_fuel=household.cooking_fuel, toilet=household.toilet,
    )


def household_read(household: Any, *, pii: bool, members: list[Any] | None = None) -> HouseholdRead:
    return HouseholdRead(
        id=household.id, no_kk=household.no_kk if pii else mask_identifier(household.no_kk),
        id_dtks=household.id_dtks, region_code=household.region_code,
        address=household.address if pii else None, welfare_decile=household.welfare_decile,
        extreme_poor=household.extreme_poor, housing=housing_of(household), status=household.status,
        inactive_reason=household.inactive_reason, version=household.version,
        created_at=household.created_at, updated_at=household.updated_at,
        members=[member_read(m, pii=pii) for m in members] if members is not None else None,
    )
