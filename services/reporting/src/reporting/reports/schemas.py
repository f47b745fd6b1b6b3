"""The reports' wire format; each figure's description comes from reports.figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from reporting.reports import figures as fig


class FeedSnapshot(BaseModel):
    feed: str = Field(description="`registry` (targeting) or `programs`.")
    position: int = Field(description="The last feed `seq` applied to the read models.")
    read_at: datetime | None = Field(description="When the consumer last read this feed.")


class SectorCoverage(BaseModel):
    covered: int = Field(description=fig.SECTOR_COVERED.description)
    rate: float | None = Field(description=fig.SECTOR_RATE.description)


class CoverageArea(BaseModel):
    region_code: str
    name: str | None
    extreme_poor_households: int = Field(description=fig.EXTREME_POOR_HOUSEHOLDS.description)
    covered_households: int = Field(description=fig.COVERED_HOUSEHOLDS.description)
    coverage_rate: float | None = Field(description=fig.COVERAGE_RATE.description)
    by_sector: dict[str, SectorCoverage] = Field(description="Every programme sector, reached or not.")
    unreached_households: int = Field(description=fig.UNREACHED_HOUSEHOLDS.description)


class CoverageReport(BaseModel):
    year: int
    region: str
    level: str
    snapshot: list[FeedSnapshot]
    total: CoverageArea = Field(description="The whole region.")
    areas: list[CoverageArea] = Field(description="Every area of `level` inside the region, by code.")


class ConvergenceReport(BaseModel):
    year: int
    region: str
    snapshot: list[FeedSnapshot]
    extreme_poor_households: int = Field(description=fig.EXTREME_POOR_HOUSEHOLDS.description)
    sectors_reached: dict[str, int] = Field(description=fig.SECTORS_REACHED.description
                                            + " Keys `0`, `1`, `2`, `3+`.")
    education_health_water: int = Field(description=fig.EDUCATION_HEALTH_WATER.description)
    all_three_strategies: int = Field(description=fig.ALL_STRATEGIES.description)


class EvaluationFigures(BaseModel):
    budget_idr: int = Field(description=fig.BUDGET.description)
    spent_idr: int = Field(description=fig.SPENT.description)
    absorption_rate: float | None = Field(description=fig.ABSORPTION.description)
    target_beneficiaries: int = Field(description=fig.TARGET.description)
    enrolled: int = Field(description=fig.ENROLLED.description)
    delivered: int = Field(description=fig.DELIVERED.description)
    reach_rate: float | None = Field(description=fig.REACH_RATE.description)
    targeting_accuracy: float | None = Field(description=fig.TARGETING_ACCURACY.description)
    leakage: float | None = Field(description=fig.LEAKAGE.description)
    priority_area_share: float | None = Field(description=fig.PRIORITY_AREA_SHARE.description)


class ProgramEvaluation(EvaluationFigures):
    program_id: uuid.UUID
    code: str
    name: str
    agency_id: uuid.UUID
    sector: str
    strategy: str
    cluster: int
    unit: str
    funding_source: str
    status: str


class AgencyEvaluation(EvaluationFigures):
    agency_id: uuid.UUID
    code: str | None
    name: str | None
    level: str | None
    region_code: str
    programs: int


class EvaluationReport(BaseModel):
    fiscal_year: int
    region: str
    snapshot: list[FeedSnapshot]
    programs: list[ProgramEvaluation]
    agencies: list[AgencyEvaluation] = Field(description="Sums of their programmes' figures, rates recomputed "
                                             "from the sums.")
    total: EvaluationFigures = Field(description="Sums over every programme listed, rates recomputed.")


class ProgressPoint(BaseModel):
    quarter: str = Field(description="`2024-Q3`.")
    quarter_end: date = Field(description="The quarter's last day; counts are taken at its end.")
    extreme_poor_households: int = Field(description=fig.PROGRESS_HOUSEHOLDS.description)
    path_households: float = Field(description=fig.PATH_HOUSEHOLDS.description)
    gap_households: float = Field(description="extreme_poor_households - path_households (above 0: behind).")


class ProgressArea(BaseModel):
    region_code: str
    name: str | None
    quarters: list[ProgressPoint]


class ProgressReport(BaseModel):
    region: str
    level: str
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    target_date: date = Field(description="Extreme poverty at 0 % by the end of this day.")
    snapshot: list[FeedSnapshot]
    total: ProgressArea
    areas: list[ProgressArea]

    model_config = {"populate_by_name": True}


class UnreachedHousehold(BaseModel):
    household_id: uuid.UUID
    no_kk: str = Field(description="Masked without `pii:read`.")
    region_code: str
    region_name: str | None
    address: str | None = Field(description="Null without `pii:read`.")
    welfare_decile: int | None
    head_name: str | None = Field(description="The active head of the family; initials without `pii:read`.")
    head_nik: str | None = Field(description="Masked without `pii:read`.")
    sectors_reached: list[str] = Field(description="The sectors that did reach the household in the year (when "
                                       "`sector` is asked, the others).")


class UnreachedPage(BaseModel):
    year: int
    region: str
    sector: str | None
    items: list[UnreachedHousehold]
    next_cursor: str | None


class FeedFreshness(BaseModel):
    feed: str
    position: int = Field(description="The last `seq` applied.")
    source_head: int | None = Field(description="The source's highest `seq` when last read.")
    lag_entries: int | None = Field(description="source_head - position: at most this many entries behind "
                                    "(sequence numbers can skip).")
    last_entry_at: datetime | None = Field(description="`occurred_at` of the newest entry applied.")
    applied_at: datetime | None = Field(description="When entries were last applied.")
    checked_at: datetime | None = Field(description="When the consumer last read the source.")
    state: str = Field(description="`current` (nothing left at the last read), `behind` (entries left), "
                       "`never_read`, or `failing` (the last read failed: see `last_error`).")
    last_error: str | None


class Freshness(BaseModel):
    feeds: list[FeedFreshness]
