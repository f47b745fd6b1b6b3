"""Reports as files: each report flattens into tables; CSV carries one table, XLSX one sheet per table.

XLSX cells are typed (integers, fractions, dates) under a header row; identifiers (NIK, No. KK) and region
codes are text cells, so a spreadsheet never turns them into numbers. Text that a spreadsheet would run as a
formula (starting with = + - @) is prefixed with an apostrophe in CSV, as OWASP recommends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from reporting.readmodels.codes import SECTORS
from reporting.reports.schemas import (
    ConvergenceReport,
    CoverageArea,
    CoverageReport,
    EvaluationReport,
    ProgressReport,
    UnreachedHousehold,
)

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {
    "text/csv": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
}, "description": "The report: JSON, or with `format=csv|xlsx` a file (`Content-Disposition: attachment`)."}}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "int"  # text | int | float | date


@dataclass(frozen=True)
class Table:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def csv_response(table: Table, filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow(["'" + v if c.kind == "text" and isinstance(v, str) and v.startswith(_FORMULA_START) else v
                         for c, v in zip(table.columns, row, strict=True)])
    return Response(out.getvalue().encode(), media_type=CSV,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def xlsx_response(tables: Sequence[Table], filename: str) -> Response:
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append([c.title for c in table.columns])
        for row in table.rows:
            cells = []
            for column, value in zip(table.columns, row, strict=True):
                cell = WriteOnlyCell(sheet, value=value)
                if column.kind == "text":
                    cell.number_format = "@"
                elif column.kind == "float":
                    cell.number_format = "0.0000"
                elif column.kind == "date":
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})


def file_response(fmt: str, tables: Sequence[Table], filename: str) -> Response:
    return csv_response(tables[0], filename) if fmt == "csv" else xlsx_response(tables, filename)


# Each report's tables ----------------------------------------------------------------------------------------
def _coverage_row(area: CoverageArea) -> list[Any]:
    row: list[Any] = [area.region_code, area.name, area.extreme_poor_households, area.covered_households,
                      area.coverage_rate, area.unreached_households]
    for sector in SECTORS:
        row += [area.by_sector[sector].covered, area.by_sector[sector].rate]
    return row


def coverage_tables(report: CoverageReport) -> list[Table]:
    columns = [Column("region_code", "text"), Column("name", "text"), Column("extreme_poor_households"),
               Column("covered_households"), Column("coverage_rate", "float"), Column("unreached_households")]
    for sector in SECTORS:
        columns += [Column(f"{sector}_covered"), Column(f"{sector}_rate", "float")]
    return [Table("coverage", columns, [_coverage_row(a) for a in [*report.areas, report.total]])]


def convergence_tables(report: ConvergenceReport) -> list[Table]:
    rows = [[f"sectors_reached_{k}", v] for k, v in report.sectors_reached.items()]
    rows += [["extreme_poor_households", report.extreme_poor_households],
             ["education_health_water", report.education_health_water],
             ["all_three_strategies", report.all_three_strategies]]
    return [Table("convergence", [Column("figure", "text"), Column("households")], rows)]


_EVALUATION_FIGURES = [Column("budget_idr"), Column("spent_idr"), Column("absorption_rate", "float"),
                       Column("target_beneficiaries"), Column("enrolled"), Column("delivered"),
                       Column("reach_rate", "float"), Column("targeting_accuracy", "float"),
                       Column("leakage", "float"), Column("priority_area_share", "float")]
_FIGURE_KEYS = [c.title for c in _EVALUATION_FIGURES]


def evaluation_tables(report: EvaluationReport) -> list[Table]:
    """One table with a `row` column (program, agency, total) for CSV; XLSX also has one sheet per kind."""
    head = [Column("row", "text"), Column("agency_id", "text"), Column("program_id", "text"), Column("code", "text"),
            Column("name", "text"), Column("sector", "text")]
    programs = [["program", str(p.agency_id), str(p.program_id), p.code, p.name, p.sector,
                 *[getattr(p, k) for k in _FIGURE_KEYS]] for p in report.programs]
    agencies = [["agency", str(a.agency_id), None, a.code, a.name, None, *[getattr(a, k) for k in _FIGURE_KEYS]]
                for a in report.agencies]
    total = [["total", None, None, None, None, None, *[getattr(report.total, k) for k in _FIGURE_KEYS]]]
    columns = head + _EVALUATION_FIGURES
    return [Table("evaluation", columns, programs + agencies + total), Table("programs", columns, programs),
            Table("agencies", columns, agencies)]


def progress_tables(report: ProgressReport) -> list[Table]:
    rows = [[area.region_code, area.name, p.quarter, p.quarter_end, p.extreme_poor_households, p.path_households,
             p.gap_households] for area in [*report.areas, report.total] for p in area.quarters]
    return [Table("progress", [Column("region_code", "text"), Column("name", "text"), Column("quarter", "text"),
                               Column("quarter_end", "date"), Column("extreme_poor_households"),
                               Column("path_households", "float"), Column("gap_households", "float")], rows)]


def unreached_tables(items: Iterable[UnreachedHousehold]) -> list[Table]:
    rows = ([str(h.household_id), h.no_kk, h.region_code, h.region_name, h.address, h.welfare_decile, h.head_name,
             h.head_nik, " ".join(h.sectors_reached)] for h in items)
    return [Table("unreached", [Column("household_id", "text"), Column("no_kk", "text"), Column("region_code", "text"),
                                Column("region_name", "text"), Column("address", "text"), Column("welfare_decile"),
                                Column("head_name", "text"), Column("head_nik", "text"),
                                Column("sectors_reached", "text")], list(rows))]
