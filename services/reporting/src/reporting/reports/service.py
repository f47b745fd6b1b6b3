"""The reports' rules: region and level, year boundaries, rates from counts, masking, assembling rows."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from kit.auth import Principal
from kit.clock import JAKARTA, today_jakarta
from kit.pagination import decode_cursor, encode_cursor
from kit.privacy import initials, mask_identifier
from kit.problems import UnprocessableError
from reporting.readmodels.codes import SECTORS, bits
from reporting.reports.annual import AnnualReport, PriorityArea, generated_now, outline, year_range
from reporting.reports.repository import ReportRepository
from reporting.reports.schemas import (
    AgencyEvaluation,
    ConvergenceReport,
    CoverageArea,
    CoverageReport,
    EvaluationFigures,
    EvaluationReport,
    FeedFreshness,
    FeedSnapshot,
    Freshness,
    ProgramEvaluation,
    ProgressArea,
    ProgressPoint,
    ProgressReport,
    SectorCoverage,
    UnreachedHousehold,
    UnreachedPage,
)

LEVEL_WIDTH = {"province": 2, "regency": 5, "district": 8, "village": 13}
LEVEL_BELOW = {2: "regency", 5: "district", 8: "village", 13: "village"}
TARGET_DATE = date(2024, 12, 31)
MAX_QUARTERS = 80


class InvalidReportRequestError(UnprocessableError):
    slug = "invalid-report-request"
    title = "Invalid report request"


def rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def ancestors(region: str) -> list[str]:
    """'18.71.01' -> ['18', '18.71']."""
    parts = region.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(start: date) -> date:
    return date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def _jakarta_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=JAKARTA)


class ReportService:
    def __init__(self, repository: ReportRepository, principal: Principal) -> None:
        self.repository = repository
        self.principal = principal

    def region(self, requested: str | None) -> str:
        return self.principal.narrow(requested)

    def level(self, region: str, level: str | None) -> tuple[str, int]:
        chosen = level or LEVEL_BELOW[len(region)]
        width = LEVEL_WIDTH[chosen]
        if width < len(region):
            raise InvalidReportRequestError(f"level {chosen} lies above the region {region}.",
                                            errors=[{"pointer": "/level", "detail": "must not lie above region"}])
        return chosen, width

    async def snapshot(self) -> list[FeedSnapshot]:
        return [FeedSnapshot(feed=r.feed, position=r.position, read_at=r.checked_at)
                for r in await self.repository.snapshot()]

    # Coverage ---------------------------------------------------------------------------------------------
    @staticmethod
    def _coverage_area(code: str, name: str | None, row: Any) -> CoverageArea:
        poor = row.extreme_poor_households if row else 0
        covered = row.covered_households if row else 0
        return CoverageArea(
            region_code=code, name=name, extreme_poor_households=poor, covered_households=covered,
            coverage_rate=rate(covered, poor), unreached_households=poor - covered,
            by_sector={s: SectorCoverage(covered=getattr(row, s) if row else 0,
                                         rate=rate(getattr(row, s) if row else 0, poor)) for s in SECTORS},
        )

    async def coverage(self, *, year: int, region: str | None, level: str | None) -> CoverageReport:
        region = self.region(region)
        level, width = self.level(region, level)
        rows = {r.area: r for r in await self.repository.coverage(region, width=width, year=year)}
        codes = sorted(set(await self.repository.areas(region, width=width)) | set(rows))
        names = await self.repository.region_names([*codes, region])
        # The areas partition the region, so its figures are their sums.
        total = SimpleNamespace(**{k: sum(getattr(r, k) for r in rows.values())
                                   for k in ("extreme_poor_households", "covered_households", *SECTORS)})
        return CoverageReport(
            year=year, region=region, level=level, snapshot=await self.snapshot(),
            total=self._coverage_area(region, names.get(region), total),
            areas=[self._coverage_area(c, names.get(c), rows.get(c)) for c in codes],
        )

    # Convergence ------------------------------------------------------------------------------------------
    async def convergence(self, *, year: int, region: str | None) -> ConvergenceReport:
        region = self.region(region)
        row = await self.repository.convergence(region, year=year)
        return ConvergenceReport(
            year=year, region=region, snapshot=await self.snapshot(),
            extreme_poor_households=row.extreme_poor_households,
            sectors_reached={"0": row.sectors_0, "1": row.sectors_1, "2": row.sectors_2,
                             "3+": row.sectors_3_or_more},
            education_health_water=row.education_health_water, all_three_strategies=row.all_three_strategies,
        )

    # Programme evaluation ---------------------------------------------------------------------------------
    @staticmethod
    def _figures(budget: int, spent: int, target: int, enrolled: int, delivered: int, accurate: int, leaked: int,
                 in_priority: int) -> dict[str, Any]:
        return {"budget_idr": budget, "spent_idr": spent, "absorption_rate": rate(spent, budget),
                "target_beneficiaries": target, "enrolled": enrolled, "delivered": delivered,
                "reach_rate": rate(delivered, target), "targeting_accuracy": rate(accurate, enrolled),
                "leakage": rate(leaked, enrolled), "priority_area_share": rate(in_priority, enrolled)}

    _SUMMED = ("budget_idr", "spent_idr", "target_beneficiaries", "enrolled", "delivered", "accurate", "leaked",
               "in_priority")

    def _summed(self, rows: Sequence[Any]) -> dict[str, Any]:
        sums = {k: sum(getattr(r, k) for r in rows) for k in self._SUMMED}
        return self._figures(sums["budget_idr"], sums["spent_idr"], sums["target_beneficiaries"], sums["enrolled"],
                             sums["delivered"], sums["accurate"], sums["leaked"], sums["in_priority"])

    async def evaluation(self, *, fiscal_year: int, region: str | None,
                         agency_id: uuid.UUID | None) -> EvaluationReport:
        region = self.region(region)
        start, end = _year_bounds(fiscal_year)
        rows = await self.repository.evaluation(region, above=ancestors(region), fiscal_year=fiscal_year,
                                                agency_id=agency_id, year_start=start, year_end=end)
        programs = [ProgramEvaluation(
            program_id=r.id, code=r.code, name=r.name, agency_id=r.agency_id, sector=r.sector, strategy=r.strategy,
            cluster=r.cluster, unit=r.unit, funding_source=r.funding_source, status=r.status,
            **self._summed([r])) for r in rows]
        by_agency: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for r in rows:
            by_agency[r.agency_id].append(r)
        agencies = [AgencyEvaluation(
            agency_id=agency, code=group[0].agency_code, name=group[0].agency_name, level=group[0].agency_level,
            region_code=group[0].region_code, programs=len(group), **self._summed(group))
            for agency, group in by_agency.items()]
        return EvaluationReport(fiscal_year=fiscal_year, region=region, snapshot=await self.snapshot(),
                                programs=programs, agencies=agencies, total=EvaluationFigures(**self._summed(rows)))

    # Progress ---------------------------------------------------------------------------------------------
    async def progress(self, *, region: str | None, level: str | None, from_: date | None,
                       to: date | None) -> ProgressReport:
        region = self.region(region)
        level, width = self.level(region, level)
        to = to or today_jakarta()
        from_ = from_ or date(2022, 1, 1)
        if from_ > to:
            raise InvalidReportRequestError("`from` lies after `to`.",
                                            errors=[{"pointer": "/from", "detail": "must not lie after to"}])
        starts = [_quarter_start(from_)]
        while _next_quarter(starts[-1]) <= to:
            starts.append(_next_quarter(starts[-1]))
            if len(starts) > MAX_QUARTERS:
                raise InvalidReportRequestError(f"At most {MAX_QUARTERS} quarters per report.",
                                                errors=[{"pointer": "/from", "detail": "range too long"}])
        ends = [_jakarta_midnight(_next_quarter(s)) for s in starts]
        counts: dict[tuple[datetime, str], int] = {}
        for r in await self.repository.progress(region, width=width, ends=ends):
            counts[(r.ends.astimezone(UTC), r.area)] = r.households
        totals: dict[datetime, int] = defaultdict(int)
        for (end, _area), n in counts.items():
            totals[end] += n
        codes = sorted(set(await self.repository.areas(region, width=width)) | {a for _e, a in counts})
        names = await self.repository.region_names([*codes, region])
        target_end = _jakarta_midnight(TARGET_DATE + timedelta(days=1))

        def series(code: str, count_at: Any) -> ProgressArea:
            baseline = count_at(ends[0])
            span = (target_end - ends[0]).total_seconds()
            points = []
            for start, end in zip(starts, ends, strict=True):
                path = 0.0 if span <= 0 else round(baseline * max(0.0, (target_end - end).total_seconds() / span), 1)
                actual = count_at(end)
                points.append(ProgressPoint(quarter=f"{start.year}-Q{(start.month - 1) // 3 + 1}",
                                            quarter_end=_next_quarter(start) - timedelta(days=1),
                                            extreme_poor_households=actual, path_households=path,
                                            gap_households=round(actual - path, 1)))
            return ProgressArea(region_code=code, name=names.get(code), quarters=points)

        return ProgressReport(
            region=region, level=level, from_=from_, to=to, target_date=TARGET_DATE, snapshot=await self.snapshot(),
            total=series(region, lambda end: totals.get(end.astimezone(UTC), 0)),
            areas=[series(c, lambda end, c=c: counts.get((end.astimezone(UTC), c), 0)) for c in codes],
        )

    # Unreached --------------------------------------------------------------------------------------------
    async def unreached(self, *, year: int, region: str | None, sector: str | None, cursor: str | None,
                        limit: int) -> UnreachedPage:
        region = self.region(region)
        key = decode_cursor(cursor, arity=1)
        try:
            after = uuid.UUID(str(key[0])) if key else None
        except ValueError as error:
            raise InvalidReportRequestError("The cursor is not one this API issued.") from error
        rows = await self.repository.unreached(region, year=year, sector=sector, after=after, limit=limit + 1)
        pii = self.principal.can_read_pii
        items = [UnreachedHousehold(
            household_id=r.id, no_kk=r.no_kk if pii else mask_identifier(r.no_kk), region_code=r.region_code,
            region_name=r.region_name, address=r.address if pii else None, welfare_decile=r.welfare_decile,
            head_name=r.head_name if pii else initials(r.head_name),
            head_nik=r.head_nik if pii else mask_identifier(r.head_nik), sectors_reached=bits(SECTORS, r.sectors),
        ) for r in rows[:limit]]
        next_cursor = encode_cursor([str(items[-1].household_id)]) if len(rows) > limit else None
        return UnreachedPage(year=year, region=region, sector=sector, items=items, next_cursor=next_cursor)

    # Freshness --------------------------------------------------------------------------------------------
    async def freshness(self) -> Freshness:
        rows = {r.feed: r for r in await self.repository.snapshot()}
        feeds = []
        for feed in ("registry", "programs"):
            r = rows.get(feed)
            if r is None:
                feeds.append(FeedFreshness(feed=feed, position=0, source_head=None, lag_entries=None,
                                           last_entry_at=None, applied_at=None, checked_at=None, state="never_read",
                                           last_error=None))
                continue
            lag = None if r.source_head is None else max(r.source_head - r.position, 0)
            state = ("failing" if r.last_error else "never_read" if r.checked_at is None
                     else "behind" if lag else "current")
            feeds.append(FeedFreshness(feed=feed, position=r.position, source_head=r.source_head, lag_entries=lag,
                                       last_entry_at=r.last_occurred_at, applied_at=r.applied_at,
                                       checked_at=r.checked_at, state=state, last_error=r.last_error))
        return Freshness(feeds=feeds)

    # Annual report ----------------------------------------------------------------------------------------
    async def annual(self, *, year: int, region: str | None) -> AnnualReport:
        region = self.region(region)
        coverage = await self.coverage(year=year, region=region, level=None)
        start, end = year_range(year, today_jakarta())
        designations = await self.repository.designations(region, above=ancestors(region), year=year)
        return AnnualReport(
            year=year, region=region, region_name=(await self.repository.region_names([region])).get(region),
            generated_at=generated_now(), snapshot=coverage.snapshot, outline=outline(),
            extreme_poor_households=coverage.total.extreme_poor_households,
            unreached_households=coverage.total.unreached_households,
            priority_areas=[PriorityArea(region_code=d.region_code, name=d.name, level=d.level, decree=d.decree)
                            for d in designations],
            progress=await self.progress(region=region, level=None, from_=start, to=end),
            coverage=coverage, convergence=await self.convergence(year=year, region=region),
            evaluation=await self.evaluation(fiscal_year=year, region=region, agency_id=None),
        )
