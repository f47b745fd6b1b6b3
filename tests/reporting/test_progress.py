"""Progress: extreme-poor households at each quarter's end (Asia/Jakarta) from the registry's history, against
the straight path to zero at the end of 2024, compared with a replay of the events written in the test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from tests.reporting.conftest import sync
from tests.reporting.world import V1, V2
from tests.targeting import factories as f

WIB = ZoneInfo("Asia/Jakarta")
TARGET_END = datetime(2025, 1, 1, tzinfo=WIB)


async def _stamp(connection, after: int, when: datetime) -> int:  # type: ignore[no-untyped-def]
    """Date the feed entries written since `after` at `when` (as if the change happened then)."""
    await connection.execute(text("UPDATE targeting.registry_change SET occurred_at = :when WHERE seq > :after"),
                             {"when": when, "after": after})
    return await connection.scalar(text("SELECT coalesce(max(seq), 0) FROM targeting.registry_change"))


def _quarter_ends(first: date, last: date) -> list[tuple[str, datetime]]:
    ends, year, q = [], first.year, (first.month - 1) // 3
    while date(year, 3 * q + 1, 1) <= last:
        nxt = (year + (q == 3), (q + 1) % 4)
        ends.append((f"{year}-Q{q + 1}", datetime(nxt[0], 3 * nxt[1] + 1, 1, tzinfo=WIB)))
        year, q = nxt
    return ends


async def test_quarters_replay_the_history_with_jakarta_boundaries(targeting, reporting, auth, connection, consumer):
    headers = auth()
    seq = await connection.scalar(text("SELECT coalesce(max(seq), 0) FROM targeting.registry_change"))
    events: list[tuple[datetime, str, str, bool]] = []  # (when, household, village, extreme poor and active)

    async def create(key: str, village: str, when: datetime) -> str:
        nonlocal seq
        created = await f.create(targeting, headers, region_code=village, extreme_poor=True)
        seq = await _stamp(connection, seq, when)
        events.append((when, key, village, True))
        return created["id"]

    february = datetime(2023, 2, 1, tzinfo=WIB)
    a = await create("a", V1, february)
    b = await create("b", V2, february)
    # 01:00 on 1 April in Jakarta is still 31 March in UTC: it belongs to Q2, not Q1.
    await create("c", V1, datetime(2023, 3, 31, 18, 0, tzinfo=UTC))
    d = await create("d", V1, february)
    assert a

    response = await targeting.patch(f"/api/v1/households/{b}", json={"extreme_poor": False},
                                     headers=headers | {"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    seq = await _stamp(connection, seq, datetime(2023, 8, 15, tzinfo=WIB))
    events.append((datetime(2023, 8, 15, tzinfo=WIB), "b", V2, False))
    response = await targeting.post(f"/api/v1/households/{d}/deactivate", json={"reason": "moved"}, headers=headers)
    assert response.status_code == 200, response.text
    seq = await _stamp(connection, seq, datetime(2024, 1, 10, tzinfo=WIB))
    events.append((datetime(2024, 1, 10, tzinfo=WIB), "d", V1, False))

    await sync(consumer)
    report = (await reporting.get("/api/v1/reports/progress", headers=headers, params={
        "region": "18.71", "level": "village", "from": "2023-01-01", "to": "2024-06-30"})).json()

    def count(at: datetime, village: str | None) -> int:
        state: dict[str, bool] = {}
        for when, key, where, poor in sorted(events, key=lambda e: e[0]):
            if when < at and (village is None or where == village):
                state[key] = poor
        return sum(state.values())

    ends = _quarter_ends(date(2023, 1, 1), date(2024, 6, 30))
    for area, village in [(report["total"], None), *[(a_, a_["region_code"]) for a_ in report["areas"]]]:
        quarters = area["quarters"]
        assert [q["quarter"] for q in quarters] == [name for name, _ in ends]
        baseline = count(ends[0][1], village)
        for q, (_name, end) in zip(quarters, ends, strict=True):
            path = round(baseline * max(0.0, (TARGET_END - end) / (TARGET_END - ends[0][1])), 1)
            assert q["extreme_poor_households"] == count(end, village), (village, q)
            assert q["path_households"] == path and q["quarter_end"] == (end - timedelta(days=1)).date().isoformat()
    assert [q["extreme_poor_households"] for q in report["total"]["quarters"]] == [3, 4, 3, 3, 2, 2]
    villages = {a_["region_code"] for a_ in report["areas"]}
    assert {V1, V2} <= villages and report["from"] == "2023-01-01"


async def test_from_after_to_is_refused(reporting, auth):
    response = await reporting.get("/api/v1/reports/progress", params={"from": "2024-01-01", "to": "2023-01-01"},
                                   headers=auth())
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
