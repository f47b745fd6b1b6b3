"""The registry's code lists (string enums; imports map DTKS/DTSEN numeric codes onto them)."""

from enum import StrEnum


class Floor(StrEnum):
    granite_marble = "granite_marble"
    ceramic = "ceramic"
    parquet_vinyl = "parquet_vinyl"
    tile_terrazzo = "tile_terrazzo"
    wood_high_quality = "wood_high_quality"
    cement_brick = "cement_brick"
    bamboo = "bamboo"
    wood_low_quality = "wood_low_quality"
    earth = "earth"
    other = "other"


class Wall(StrEnum):
    masonry = "masonry"
    plastered_woven_bamboo = "plastered_woven_bamboo"
    wood = "wood"
    woven_bamboo = "woven_bamboo"
    log = "log"
    bamboo = "bamboo"
    other = "other"


class Roof(StrEnum):
    concrete = "concrete"
    ceramic_tile = "ceramic_tile"
    metal_tile = "metal_tile"
    clay_tile = "clay_tile"
    asbestos = "asbestos"
    zinc = "zinc"
    shingle = "shingle"
    bamboo = "bamboo"
    thatch = "thatch"
    other = "other"


class DrinkingWater(StrEnum):
    bottled = "bottled"
    refill = "refill"
    piped_metered = "piped_metered"
    piped_retail = "piped_retail"
    borehole_pump = "borehole_pump"
    protected_well = "protected_well"
    unprotected_well = "unprotected_well"
    protected_spring = "protected_spring"
    unprotected_spring = "unprotected_spring"
    surface_water = "surface_water"
    rainwater = "rainwater"
    other = "other"


class Lighting(StrEnum):
    pln = "pln"
    non_pln = "non_pln"
    non_electric = "non_electric"


class Toilet(StrEnum):
    own = "own"
    shared = "shared"
    public = "public"
    none = "none"


class CookingFuel(StrEnum):
    electricity = "electricity"
    lpg_large = "lpg_large"
    lpg_3kg = "lpg_3kg"
    city_gas_biogas = "city_gas_biogas"
    kerosene = "kerosene"
    briquette = "briquette"
    charcoal = "charcoal"
    firewood = "firewood"
    none = "none"


class Education(StrEnum):
    none = "none"
    primary = "primary"
    junior_secondary = "junior_secondary"
    senior_secondary = "senior_secondary"
    diploma = "diploma"
    bachelor = "bachelor"
    postgraduate = "postgraduate"


class Occupation(StrEnum):
    none = "none"
    farmer = "farmer"
    fisher = "fisher"
    labourer = "labourer"
    trader = "trader"
    civil_servant = "civil_servant"
    private_employee = "private_employee"
    self_employed = "self_employed"
    student = "student"
    housekeeping = "housekeeping"


class Sex(StrEnum):
    male = "M"
    female = "F"


class Relationship(StrEnum):
    head = "head"
    spouse = "spouse"
    child = "child"
    parent = "parent"
    grandchild = "grandchild"
    other = "other"


class SchoolParticipation(StrEnum):
    not_yet = "not_yet"
    enrolled = "enrolled"
    dropped_out = "dropped_out"
    never = "never"


class Status(StrEnum):
    active = "active"
    inactive = "inactive"


class InactiveReason(StrEnum):
    moved = "moved"
    deceased = "deceased"
    duplicate = "duplicate"
    ineligible = "ineligible"


HOUSING_FIELDS: dict[str, type[StrEnum] | None] = {
    "floor_area_m2": None, "floor": Floor, "wall": Wall, "roof": Roof, "drinking_water": DrinkingWater,
    "lighting": Lighting, "cooking_fuel": CookingFuel, "toilet": Toilet,
}
