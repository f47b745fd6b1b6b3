"""Assertions shared by the tests."""

from __future__ import annotations

import httpx


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    if slug is not None:
        assert body["type"] == "urn:sinergi:problem:" + slug, body
    return body


def export_rows(response: httpx.Response) -> list[dict[str, str | None]]:
    """A feed export in COPY text format as one dict per row, keyed by its Feed-Columns (values unescaped for the
    characters our fixtures use: none), after checking its media type and Feed-Entries."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    columns = response.headers["feed-columns"].split(",")
    rows = [dict(zip(columns, [None if v == r"\N" else v for v in line.split("\t")], strict=True))
            for line in response.text.splitlines()]
    assert int(response.headers["feed-entries"]) == len(rows)
    return rows


async def load_binary_export(connection, response: httpx.Response, columns: dict[str, str]) -> list[dict]:  # type: ignore[no-untyped-def]
    """A binary feed export loaded by PostgreSQL into a temporary table of the documented column types."""
    from sqlalchemy import text

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    await connection.execute(text("DROP TABLE IF EXISTS pg_temp.exported"))
    await connection.execute(text("CREATE TEMPORARY TABLE exported (" + ", ".join(
        f"{name} {kind}" for name, kind in columns.items()) + ")"))
    driver = (await connection.get_raw_connection()).driver_connection
    async with driver.cursor() as cursor, cursor.copy("COPY exported FROM STDIN (FORMAT binary)") as copy:
        await copy.write(response.content)
    return [dict(r) for r in (await connection.execute(text("SELECT * FROM exported ORDER BY seq"))).mappings()]
