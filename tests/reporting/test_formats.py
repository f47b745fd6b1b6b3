"""Reports as files: CSV carries the JSON's figures; XLSX has typed cells under a header row and identifiers as
text; the annual report comes as JSON, XLSX and a printable HTML page."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.reporting.conftest import sync
from tests.reporting.world import World, build

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def world(targeting, programs, auth, consumer) -> World:  # type: ignore[no-untyped-def]
    built = await build(targeting, programs, auth)
    await sync(consumer)
    return built


async def _get(reporting, headers, path, **params):  # type: ignore[no-untyped-def]
    response = await reporting.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def test_coverage_csv_and_xlsx_carry_the_json_figures(reporting, auth, world):
    params = {"year": 2022, "region": "18.71", "level": "district"}
    report = (await _get(reporting, auth(), "/api/v1/reports/coverage", **params)).json()
    response = await _get(reporting, auth(), "/api/v1/reports/coverage", **params, format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["region_code"] for r in rows] == [a["region_code"] for a in report["areas"]] + ["18.71"]
    for row, area in zip(rows, [*report["areas"], report["total"]], strict=True):
        assert int(row["extreme_poor_households"]) == area["extreme_poor_households"]
        assert int(row["health_covered"]) == area["by_sector"]["health"]["covered"]
        assert row["coverage_rate"] == ("" if area["coverage_rate"] is None else str(area["coverage_rate"]))

    response = await _get(reporting, auth(), "/api/v1/reports/coverage", **params, format="xlsx")
    assert response.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content))["coverage"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("region_code", "name", "extreme_poor_households")
    assert values[-1][0] == "18.71" and isinstance(values[-1][2], int)
    assert sheet.cell(row=2, column=1).number_format == "@"


async def test_unreached_export_keeps_identifiers_as_text(reporting, auth, world):
    response = await _get(reporting, auth(), "/api/v1/reports/unreached", year=2022, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["unreached"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    no_kk = header.index("no_kk")
    assert [r[no_kk] for r in rows] == [world.houses["h3"].no_kk]  # the only extreme-poor household not reached
    assert isinstance(rows[0][no_kk], str) and sheet.cell(row=2, column=no_kk + 1).number_format == "@"
    masked = await _get(reporting, auth("18", "reports:read"), "/api/v1/reports/unreached", year=2022, format="csv")
    assert all(r["no_kk"].startswith("************") for r in csv.DictReader(io.StringIO(masked.text)))


async def test_program_evaluation_csv_has_programme_agency_and_total_rows(reporting, auth, world):
    response = await _get(reporting, auth(), "/api/v1/reports/program-evaluation", fiscal_year=2022, format="csv")
    kinds = [r["row"] for r in csv.DictReader(io.StringIO(response.text))]
    assert kinds == ["program"] * 4 + ["agency"] * 2 + ["total"]


async def test_annual_report_in_three_formats(reporting, auth, world):
    path = "/api/v1/reports/annual/2022"
    report = (await _get(reporting, auth(), path, region="18.71")).json()
    assert report["year"] == 2022 and report["region"] == "18.71"
    assert [c["title"][0] for c in report["outline"]] == list("1234567")
    assert report["extreme_poor_households"] == report["coverage"]["total"]["extreme_poor_households"] == 3
    assert [p["region_code"] for p in report["priority_areas"]] == ["18.71.01"]
    assert len(report["evaluation"]["programs"]) == 4 and report["progress"]["total"]["quarters"][0]["quarter"] == \
        "2022-Q1"

    book = load_workbook(io.BytesIO((await _get(reporting, auth(), path, region="18.71", format="xlsx")).content))
    assert {"summary", "priority_areas", "progress", "coverage", "convergence", "programs", "agencies"} <= \
        set(book.sheetnames)

    html = (await _get(reporting, auth(), path, region="18.71", format="html")).text
    assert html.startswith("<!doctype html>") and "<svg" in html and "<script" not in html
    assert "Dinas Kesehatan Kota" in html and "Kesimpulan dan rekomendasi" in html
