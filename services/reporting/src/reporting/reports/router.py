"""GET /api/v1/reports/...: every report, region-scoped, as JSON or (format=csv|xlsx) as a file."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from kit.clock import today_jakarta
from kit.pagination import Cursor, Limit
from kit.problems import problem_responses
from reporting.readmodels.codes import SECTORS
from reporting.reports.annual import AnnualReport, annual_tables, render_html
from reporting.reports.dependencies import ReportServiceDep
from reporting.reports.export import (
    FILE_RESPONSES,
    XLSX,
    Table,
    convergence_tables,
    coverage_tables,
    evaluation_tables,
    file_response,
    progress_tables,
    unreached_tables,
    xlsx_response,
)
from reporting.reports.figures import REACHED
from reporting.reports.schemas import (
    ConvergenceReport,
    CoverageReport,
    EvaluationReport,
    Freshness,
    ProgressReport,
    UnreachedHousehold,
    UnreachedPage,
)

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
Report = TypeVar("Report", CoverageReport, ConvergenceReport, EvaluationReport, ProgressReport)

Year = Annotated[int, Query(ge=2000, le=2100, description="Calendar year (Asia/Jakarta); default: this year.")]
Region = Annotated[str | None, Query(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", description=(
    "Default: the token's region. An ancestor of it is narrowed to it; a region outside it answers 403."))]
Level = Annotated[Literal["province", "regency", "district", "village"] | None, Query(description=(
    "The level of the areas listed; default: one below `region` (village for a village). Not above `region`."))]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="`csv`: one table; `xlsx`: one sheet per "
                                                                     "table, typed cells, a header row.")]
Sector = Annotated[Literal[SECTORS] | None, Query(description="Only programmes of this sector count as reaching.")]  # type: ignore[valid-type]
RESPONSES = {**problem_responses(401, 403, 422), **FILE_RESPONSES}
UNREACHED_EXPORT_PAGE = 5000


def _year(year: int | None) -> int:
    return year if year is not None else today_jakarta().year


def _answer(report: Report, fmt: str, tables: Callable[[Report], list[Table]], filename: str) -> Report | Response:
    """The report itself (JSON, through the response model), or its tables as a CSV or XLSX file."""
    return report if fmt == "json" else file_response(fmt, tables(report), filename)


@router.get("/coverage", response_model=CoverageReport, responses=RESPONSES, summary="Coverage of the extreme poor",
            description="Per area of `level` inside `region` (and for the whole region): extreme-poor households, "
            "how many programmes reached in the year, overall and per sector, and how many no programme reached. "
            + REACHED)
async def coverage(service: ReportServiceDep, year: Year | None = None, region: Region = None, level: Level = None,
                   format: Format = "json") -> CoverageReport | Response:
    report = await service.coverage(year=_year(year), region=region, level=level)
    return _answer(report, format, coverage_tables, f"coverage-{report.year}-{report.region}")


@router.get("/convergence", response_model=ConvergenceReport, responses=RESPONSES,
            summary="Convergence of programmes on the extreme poor",
            description="Extreme-poor households of the region by the number of distinct sectors that reached "
            "them in the year, and how many got education, health and water_sanitation together. " + REACHED)
async def convergence(service: ReportServiceDep, year: Year | None = None, region: Region = None,
                      format: Format = "json") -> ConvergenceReport | Response:
    report = await service.convergence(year=_year(year), region=region)
    return _answer(report, format, convergence_tables, f"convergence-{report.year}-{report.region}")


@router.get("/program-evaluation", response_model=EvaluationReport, responses=RESPONSES,
            summary="Yearly evaluation of every programme and agency",
            description="Per programme of the fiscal year (of agencies inside the region or above it, with their "
            "enrolments and deliveries inside the region), per agency (sums, rates recomputed) and in total: "
            "budget, spending, absorption, target, enrolled, delivered, reach, targeting accuracy, leakage and "
            "priority-area share. A rate whose denominator is 0 is null. CSV: one table with a `row` column "
            "(`program`, `agency`, `total`).")
async def program_evaluation(
    service: ReportServiceDep, fiscal_year: Year | None = None, region: Region = None,
    agency_id: uuid.UUID | None = None, format: Format = "json",
) -> EvaluationReport | Response:
    report = await service.evaluation(fiscal_year=_year(fiscal_year), region=region, agency_id=agency_id)
    return _answer(report, format, evaluation_tables, f"program-evaluation-{report.fiscal_year}-{report.region}")


@router.get("/progress", response_model=ProgressReport, responses=RESPONSES, response_model_by_alias=True,
            summary="Extreme poverty per quarter against the path to zero",
            description="Extreme-poor households at the end of each calendar quarter from `from` (default "
            "2022-01-01) to `to` (default today, Asia/Jakarta) per area and for the region, from the registry's "
            "history, against a straight path from the first quarter's count to 0 at the end of 2024. At most 80 "
            "quarters.")
async def progress(service: ReportServiceDep, region: Region = None, level: Level = None,
                   from_: Annotated[date | None, Query(alias="from")] = None, to: date | None = None,
                   format: Format = "json") -> ProgressReport | Response:
    report = await service.progress(region=region, level=level, from_=from_, to=to)
    return _answer(report, format, progress_tables, f"progress-{report.region}")


@router.get("/unreached", response_model=UnreachedPage, responses=RESPONSES,
            summary="The extreme-poor households no programme reached",
            description="By name (the family's head), ordered by household id, with cursor pagination; masked "
            "without `pii:read`. With `sector`, those no programme of that sector reached. With `format=csv|xlsx`, "
            "every such household in one file (no cursor). " + REACHED)
async def unreached(service: ReportServiceDep, year: Year | None = None, region: Region = None, sector: Sector = None,
                    limit: Limit = 50, cursor: Cursor = None, format: Format = "json") -> UnreachedPage | Response:
    if format == "json":
        return await service.unreached(year=_year(year), region=region, sector=sector, cursor=cursor, limit=limit)
    items: list[UnreachedHousehold] = []
    next_cursor: str | None = None
    while True:
        page = await service.unreached(year=_year(year), region=region, sector=sector, cursor=next_cursor,
                                       limit=UNREACHED_EXPORT_PAGE)
        items += page.items
        if not (next_cursor := page.next_cursor):
            break
    return file_response(format, unreached_tables(items), f"unreached-{page.year}-{page.region}")


@router.get("/annual/{year}", response_model=AnnualReport, summary="The LP2KD-style annual report",
            description="Coverage, convergence, programme evaluation, the year's quarters and the priority areas "
            "of the year for the region, under the LP2KD outline: JSON (the AnnualReport schema), XLSX (one sheet "
            "per table) or a printable HTML page with charts.",
            responses={**problem_responses(401, 403, 422), 200: {"content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}}}, "description": "The report."}})
async def annual(service: ReportServiceDep, year: Annotated[int, Path(ge=2000, le=2100)], region: Region = None,
                 format: Annotated[Literal["json", "xlsx", "html"], Query()] = "json") -> Response:
    report = await service.annual(year=year, region=region)
    if format == "xlsx":
        return xlsx_response(annual_tables(report), f"lp2kd-{year}-{report.region}")
    if format == "html":
        return HTMLResponse(render_html(report))
    return Response(report.model_dump_json(by_alias=True), media_type="application/json")


@router.get("/freshness", response_model=Freshness, summary="How current the read models are",
            description="Each feed's position, the source's head when last read, the lag between them, and the "
            "last error if the last read failed.", responses=problem_responses(401, 403))
async def freshness(service: ReportServiceDep) -> Freshness:
    return await service.freshness()
