"""The LP2KD-style annual report: the other reports for one year and region, under the LP2KD outline, as JSON,
XLSX (one sheet per table) and a printable HTML page with SVG charts (no scripts, nothing fetched)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import escape

from pydantic import BaseModel, Field

from reporting.reports.export import (
    Column,
    Table,
    convergence_tables,
    coverage_tables,
    evaluation_tables,
    progress_tables,
)
from reporting.reports.schemas import (
    ConvergenceReport,
    CoverageReport,
    EvaluationReport,
    FeedSnapshot,
    ProgressReport,
)

# The LP2KD outline (DOMAIN.md section 10, a reconstruction of TNP2K's TKPK handbook chapters). Each chapter
# lists the sections of this report that fill it; chapters this backend holds no data for say so.
OUTLINE: list[tuple[str, list[str]]] = [
    ("1 Pendahuluan", ["region", "snapshot"]),
    ("2 Kondisi kemiskinan", ["extreme_poor_households", "progress"]),
    ("3 Indikator non-pendapatan", []),
    ("4 Program dan anggaran per OPD", ["evaluation"]),
    ("5 Evaluasi: ketepatan sasaran, cakupan, konvergensi per lokus", ["coverage", "convergence", "priority_areas"]),
    ("6 Koordinasi dan pengendalian TKPK", []),
    ("7 Kesimpulan dan rekomendasi", ["unreached_households"]),
]


class Chapter(BaseModel):
    title: str
    sections: list[str] = Field(description="The fields of this report that fill the chapter; empty: written "
                                "by the TKPK, not computed.")


class PriorityArea(BaseModel):
    region_code: str
    name: str
    level: str
    decree: str | None


class AnnualReport(BaseModel):
    year: int
    region: str
    region_name: str | None
    generated_at: datetime
    snapshot: list[FeedSnapshot]
    outline: list[Chapter]
    extreme_poor_households: int = Field(description="As `coverage.total.extreme_poor_households`.")
    unreached_households: int = Field(description="As `coverage.total.unreached_households`.")
    priority_areas: list[PriorityArea] = Field(description="The areas designated for the year in the region and "
                                               "above it.")
    progress: ProgressReport = Field(description="The year's quarters.")
    coverage: CoverageReport
    convergence: ConvergenceReport
    evaluation: EvaluationReport


def outline() -> list[Chapter]:
    return [Chapter(title=t, sections=s) for t, s in OUTLINE]


def annual_tables(report: AnnualReport) -> list[Table]:
    summary = Table("summary", [Column("figure", "text"), Column("value", "text")], [
        ["year", str(report.year)], ["region", report.region], ["region_name", report.region_name],
        ["generated_at", report.generated_at.isoformat()],
        ["extreme_poor_households", str(report.extreme_poor_households)],
        ["unreached_households", str(report.unreached_households)],
        *[[f"feed_{s.feed}_position", str(s.position)] for s in report.snapshot]])
    priority = Table("priority_areas", [Column("region_code", "text"), Column("name", "text"),
                                        Column("level", "text"), Column("decree", "text")],
                     [[p.region_code, p.name, p.level, p.decree] for p in report.priority_areas])
    evaluation = evaluation_tables(report.evaluation)[1:]
    return [summary, priority, *progress_tables(report.progress), *coverage_tables(report.coverage),
            *convergence_tables(report.convergence), *evaluation]


# HTML ----------------------------------------------------------------------------------------------------
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _idr(value: int) -> str:
    return f"Rp {value:,}".replace(",", ".")


def _bars(rows: list[tuple[str, float | None]], *, title: str) -> str:
    """A horizontal bar chart of fractions 0-1."""
    height = 22 * len(rows) + 30
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="640" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">']
    for i, (label, value) in enumerate(rows):
        y = 20 + i * 22
        width = 0 if value is None else round(400 * min(max(value, 0.0), 1.0))
        parts.append(f'<text x="0" y="{y + 13}">{escape(label[:28])}</text>'
                     f'<rect x="200" y="{y}" width="{width}" height="16" fill="#2b6cb0"/>'
                     f'<text x="{205 + width}" y="{y + 13}">{_pct(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _progress_chart(report: ProgressReport) -> str:
    points = report.total.quarters
    if not points:
        return ""
    top = max([p.extreme_poor_households for p in points] + [p.path_households for p in points] + [1])
    step = 560 / max(len(points) - 1, 1)

    def path(values: list[float]) -> str:
        return " ".join(f"{40 + i * step:.1f},{190 - 170 * v / top:.1f}" for i, v in enumerate(values))

    actual = path([p.extreme_poor_households for p in points])
    target = path([p.path_households for p in points])
    labels = "".join(f'<text x="{40 + i * step:.1f}" y="208" text-anchor="middle">{escape(p.quarter)}</text>'
                     for i, p in enumerate(points))
    return (f'<svg role="img" aria-label="Extreme-poor households per quarter against the path to zero" '
            f'width="640" height="215" xmlns="http://www.w3.org/2000/svg" font-size="10" font-family="sans-serif">'
            f'<polyline points="{actual}" fill="none" stroke="#c53030" stroke-width="2"/>'
            f'<polyline points="{target}" fill="none" stroke="#718096" stroke-dasharray="4 3"/>'
            f'<text x="40" y="12">max {top:,}</text>{labels}</svg>')


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: AnnualReport) -> str:
    place = escape(report.region_name or report.region)
    cov = report.coverage
    evaluation = report.evaluation
    sections = {
        "1": (f"<p>Wilayah {place} ({escape(report.region)}), tahun {report.year}. Data registri per "
              + ", ".join(f"{escape(s.feed)} #{s.position}" for s in report.snapshot)
              + f"; dibuat {escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}.</p>"),
        "2": (f"<p>Rumah tangga miskin ekstrem (aktif): <b>{report.extreme_poor_households:,}</b>.</p>"
              + _progress_chart(report.progress)
              + _table(["Triwulan", "Miskin ekstrem", "Lintasan ke 0 %", "Selisih"],
                       [[p.quarter, f"{p.extreme_poor_households:,}", f"{p.path_households:,.1f}",
                         f"{p.gap_households:,.1f}"] for p in report.progress.total.quarters])),
        "4": _table(["Program", "OPD", "Pagu", "Realisasi", "Serapan", "Target", "Terdaftar", "Tersalur",
                     "Ketepatan", "Kebocoran", "Di lokus"],
                    [[p.name, str(p.agency_id)[:8], _idr(p.budget_idr), _idr(p.spent_idr), _pct(p.absorption_rate),
                      f"{p.target_beneficiaries:,}", f"{p.enrolled:,}", f"{p.delivered:,}",
                      _pct(p.targeting_accuracy), _pct(p.leakage), _pct(p.priority_area_share)]
                     for p in evaluation.programs])
             + _table(["OPD", "Program", "Pagu", "Realisasi", "Serapan", "Ketepatan", "Kebocoran"],
                      [[a.name or str(a.agency_id), str(a.programs), _idr(a.budget_idr), _idr(a.spent_idr),
                        _pct(a.absorption_rate), _pct(a.targeting_accuracy), _pct(a.leakage)]
                       for a in evaluation.agencies]),
        "5": (_bars([(a.name or a.region_code, a.coverage_rate) for a in cov.areas],
                    title="Coverage of extreme-poor households per area")
              + _table(["Wilayah", "Miskin ekstrem", "Terjangkau", "Cakupan", "Belum terjangkau"],
                       [[a.name or a.region_code, f"{a.extreme_poor_households:,}", f"{a.covered_households:,}",
                         _pct(a.coverage_rate), f"{a.unreached_households:,}"] for a in [*cov.areas, cov.total]])
              + _table(["Sektor yang menjangkau", "Rumah tangga"],
                       [[k, f"{v:,}"] for k, v in report.convergence.sectors_reached.items()]
                       + [["pendidikan + kesehatan + air", f"{report.convergence.education_health_water:,}"]])
              + _table(["Lokus", "Tingkat", "Dasar"],
                       [[f"{p.name} ({p.region_code})", p.level, p.decree or ""] for p in report.priority_areas])),
        "7": f"<p>Rumah tangga miskin ekstrem belum terjangkau: <b>{report.unreached_households:,}</b>.</p>",
    }
    chapters = "".join(
        f"<section><h2>{escape(c.title)}</h2>"
        + sections.get(c.title.split()[0], "<p><i>Diisi oleh TKPK.</i></p>") + "</section>"
        for c in report.outline)
    return ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>LP2KD {report.year} {place}</title><style>"
            "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#1a202c}"
            "table{border-collapse:collapse;margin:1rem 0;font-size:.85rem}td,th{border:1px solid #cbd5e0;"
            "padding:.2rem .4rem;text-align:right}td:first-child,th:first-child{text-align:left}"
            "@media print{section{page-break-inside:avoid}}</style></head><body>"
            f"<h1>Laporan Pelaksanaan Penanggulangan Kemiskinan Daerah {report.year}</h1><h2>{place}</h2>"
            f"{chapters}</body></html>")


def generated_now() -> datetime:
    return datetime.now(UTC)


def year_range(year: int, today: date) -> tuple[date, date]:
    return date(year, 1, 1), min(date(year, 12, 31), max(today, date(year, 1, 1)))
