"""Loads one decree's region list set-wise: new or changed codes get a version row, dropped codes retire."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, text

DATA_DIR = Path(__file__).parent / "data"
FILES = (("provinces.csv", "province", None), ("regencies.csv", "regency", "province_code"),
         ("districts.csv", "district", "regency_code"), ("villages.csv", "village", "district_code"))

# BPS numbers the first eight Lampung kabupaten differently from Kemendagri (DOMAIN.md section 3).
LAMPUNG_BPS_CODES = {
    "18": "18", "18.01": "1803", "18.02": "1805", "18.03": "1806", "18.04": "1801", "18.05": "1808",
    "18.06": "1802", "18.07": "1804", "18.08": "1807", "18.09": "1809", "18.10": "1810", "18.11": "1811",
    "18.12": "1812", "18.13": "1813", "18.71": "1871", "18.72": "1872",
}


def load_decree(
    connection: Connection, *, reference: str, effective_from: date, source: str, data_dir: Path = DATA_DIR,
    bps_codes: dict[str, str] | None = None,
) -> int:
    decree_id = connection.execute(
        text("INSERT INTO targeting.region_decree (reference, effective_from, source) "
             "VALUES (:r, :e, :s) RETURNING id"),
        {"r": reference, "e": effective_from, "s": source},
    ).scalar_one()
    connection.execute(text(
        "CREATE TEMP TABLE region_stage (code text PRIMARY KEY, name text NOT NULL, level text NOT NULL, "
        "parent_code text) ON COMMIT DROP"
    ))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
        "COPY region_stage (code, name, level, parent_code) FROM STDIN"
    ) as copy:
        for filename, level, parent_column in FILES:
            with (data_dir / filename).open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    copy.write_row((row["code"], row["name"], level, row[parent_column] if parent_column else None))
    params = {"d": decree_id}
    connection.execute(text("""
        INSERT INTO targeting.region_version (code, decree_id, name, parent_code)
        SELECT s.code, :d, s.name, s.parent_code
        FROM region_stage s LEFT JOIN targeting.region r ON r.code = s.code
        WHERE r.code IS NULL OR r.name <> s.name OR r.parent_code IS DISTINCT FROM s.parent_code
           OR r.retired_by_decree_id IS NOT NULL
    """), params)
    connection.execute(text("""
        INSERT INTO targeting.region (code, name, level, parent_code, decree_id)
        SELECT code, name, level, parent_code, :d FROM region_stage
        ON CONFLICT (code) DO UPDATE SET
            name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code,
            decree_id = EXCLUDED.decree_id, retired_by_decree_id = NULL
        WHERE region.name <> EXCLUDED.name OR region.parent_code IS DISTINCT FROM EXCLUDED.parent_code
           OR region.retired_by_decree_id IS NOT NULL
    """), params)
    connection.execute(text("""
        UPDATE targeting.region r SET retired_by_decree_id = :d
        WHERE r.retired_by_decree_id IS NULL AND NOT EXISTS (SELECT 1 FROM region_stage s WHERE s.code = r.code)
    """), params)
    for code, bps in (bps_codes or LAMPUNG_BPS_CODES).items():
        connection.execute(text("UPDATE targeting.region SET bps_code = :b WHERE code = :c"), {"b": bps, "c": code})
    connection.execute(text("DROP TABLE region_stage"))
    return int(decree_id)
