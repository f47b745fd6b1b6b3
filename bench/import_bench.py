"""Import benchmark: the generator's 1 M households + ~3.6 M members imported twice, against a raw COPY of
the same rows into the same indexed tables in the same run. Writes its section "## Import" of
bench/RESULTS.md.

    python -m bench.import_bench [--households 1000000] [--seed 2022]

Runs on DATABASE_URL's server or on an embedded PostgreSQL of its own (.data/bench-pg), in a fresh
database. Each import runs in a child process (the job code `sinergi import` runs), so its peak RSS is
that of the importing process alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
WORK = ROOT / ".data" / "bench-import"
SECTION = "## Import"


def _database() -> tuple[str, object | None]:
    from kit.migrations import upgrade
    from sinergi.embedded import DATA_DIR, ensure_database, start_embedded

    server_url, server = os.environ.get("DATABASE_URL"), None
    if not server_url:
        server, server_url = start_embedded(DATA_DIR / "bench-pg")
    url = ensure_database(server_url, "sinergi_bench_import", fresh=True)
    upgrade(["targeting"], url)
    return url, server


def _files(households: int, seed: int) -> tuple[Path, Path, int, float | None]:
    from sinergi.generator import generate

    folder = WORK / f"{households}-{seed}"
    marker = folder / "generated.json"
    if marker.exists():
        made = json.loads(marker.read_text())
        return folder / "households.csv", folder / "members.csv", made["members"], made.get("seconds")
    started = time.monotonic()
    result = generate(households, seed, folder)
    seconds = time.monotonic() - started
    marker.write_text(json.dumps({"members": result.members, "seconds": seconds}))
    return result.households_path, result.members_path, result.members, seconds


def _raw_rows(households: Path, members: Path, folder: Path) -> tuple[Path, Path, list[str], list[str]]:
    """The same rows in the tables' own shape (ids assigned, family by id), for a plain COPY. Untimed."""
    from kit.ids import uuid7_sequence

    ids: dict[str, str] = {}
    household_id, member_id = uuid7_sequence(), uuid7_sequence()
    raw_h, raw_m = folder / "raw-households.csv", folder / "raw-members.csv"
    with households.open(newline="") as source, raw_h.open("w", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        h_columns = ["id", *next(reader), "source"]
        for row in reader:
            ids[row[0]] = household_id()
            writer.writerow([ids[row[0]], *row, "import"])
    with members.open(newline="") as source, raw_m.open("w", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        m_columns = ["id", "household_id", *next(reader)[1:]]
        for row in reader:
            writer.writerow([member_id(), ids[row[0]], *row[1:]])
    return raw_h, raw_m, h_columns, m_columns


def _raw_copy(url: str, raw_h: Path, raw_m: Path, h_columns: list[str], m_columns: list[str]) -> dict[str, float]:
    """COPY into clones of targeting.household and targeting.member: same columns, checks, indexes, foreign
    keys (to the region table and from member to household)."""
    timings = {}
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS bench_raw CASCADE")
        connection.execute("CREATE SCHEMA bench_raw")
        connection.execute("CREATE TABLE bench_raw.household (LIKE targeting.household INCLUDING ALL)")
        connection.execute("CREATE TABLE bench_raw.member (LIKE targeting.member INCLUDING ALL)")
        connection.execute("ALTER TABLE bench_raw.household ADD FOREIGN KEY (region_code) "
                           "REFERENCES targeting.region (code)")
        connection.execute("ALTER TABLE bench_raw.member ADD FOREIGN KEY (household_id) "
                           "REFERENCES bench_raw.household (id)")
        connection.execute("CHECKPOINT")
        for table, path, columns in (("household", raw_h, h_columns), ("member", raw_m, m_columns)):
            started = time.monotonic()
            with connection.cursor() as cursor, cursor.copy(
                    f"COPY bench_raw.{table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy, \
                    path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            timings[table] = time.monotonic() - started
        connection.execute("DROP SCHEMA bench_raw CASCADE")
        connection.execute("CHECKPOINT")
    return timings


def _import(url: str, households: Path, members: Path) -> dict[str, object]:
    """One import in a child process; returns its wall time, phases, counts and peak RSS."""
    child = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--child", str(households), str(members)],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(child.stdout.strip().splitlines()[-1])


def _child(households: Path, members: Path) -> None:
    from targeting.imports.dialects import FileKind
    from targeting.imports.jobs import JobSettings, run_local
    from targeting.imports.runner import import_engine

    engine = import_engine(os.environ["DATABASE_URL"])
    phases: dict[str, float] = {}
    started = time.monotonic()

    def progress(phase: str, _processed: int, _total: int | None) -> None:
        phases.setdefault(phase, round(time.monotonic() - started, 1))

    _job, outcome = run_local(engine, {FileKind.households: households, FileKind.members: members},
                              client_id="cli:bench", region="18", settings=JobSettings(), progress=progress)
    seconds = time.monotonic() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "phases": phases, "status": outcome.status, "reason": outcome.reason,
                      "counts": vars(outcome.counts) if outcome.counts else None,
                      "peak_rss_mb": _peak_rss_mb(),
                      "child_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def _peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM starts afresh at exec, whereas ru_maxrss keeps the peak of the
    parent it was forked from (here the bench, holding the raw-COPY preparation's id map)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phases(run: dict[str, object]) -> str:
    """Durations of parsing (Python, with the staging COPY), checking (set-wise SQL), publishing (merge + feed)."""
    starts: dict[str, float] = run["phases"]  # type: ignore[assignment]
    marks = [starts.get(p) for p in ("parsing", "checking", "publishing")] + [float(run["seconds"])]  # type: ignore[arg-type]
    names = ("parsing", "checking", "publishing")
    return ", ".join(f"{name} {end - begin:.0f}" for name, begin, end in zip(names, marks, marks[1:], strict=False)
                     if begin is not None and end is not None)


def _counts(counts: object) -> str:
    if not isinstance(counts, dict):
        return "no counts"
    return (f"households {counts['households_inserted']:,} inserted / {counts['households_updated']:,} updated, "
            f"members {counts['members_inserted']:,} / {counts['members_updated']:,}, "
            f"{counts['rows_rejected']:,} rejected")


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def _write_section(text: str) -> None:
    existing = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    sections = existing.split("\n## ")
    head, rest = sections[0], ["## " + s for s in sections[1:]]
    kept = [s for s in rest if not s.startswith(SECTION + "\n")]
    RESULTS.write_text("\n".join([head.rstrip("\n") + "\n", *[s.rstrip("\n") + "\n" for s in kept],
                                  text.rstrip("\n") + "\n"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return

    households_csv, members_csv, member_rows, generated_in = _files(args.households, args.seed)
    rows = args.households + member_rows
    url, _server = _database()
    load_before = _load()
    raw_h, raw_m, h_columns, m_columns = _raw_rows(households_csv, members_csv, households_csv.parent)
    baseline = _raw_copy(url, raw_h, raw_m, h_columns, m_columns)
    raw_h.unlink()
    raw_m.unlink()
    load_baseline = _load()
    first = _import(url, households_csv, members_csv)
    load_first = _load()
    again = _import(url, households_csv, members_csv)
    load_after = _load()
    with psycopg.connect(url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        feed_rows = connection.execute("SELECT count(*) FROM targeting.registry_change").fetchone()[0]

    raw_seconds = sum(baseline.values())
    first_seconds, again_seconds = float(first["seconds"]), float(again["seconds"])  # type: ignore[arg-type]
    counts, recount = first["counts"], again["counts"]
    database = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded, default settings"
    generated = f", generated in {generated_in:.0f} s" if generated_in else ""
    command = f"python -m bench.import_bench --households {args.households} --seed {args.seed}"
    raw_phases = f"household {baseline['household']:.0f}, member {baseline['member']:.0f}"
    peak = max(float(first["peak_rss_mb"]), float(again["peak_rss_mb"]))  # type: ignore[arg-type]
    child_peak = max(float(first.get("child_peak_rss_mb", 0)), float(again.get("child_peak_rss_mb", 0)))  # type: ignore[arg-type]
    text = f"""{SECTION}

`{command}`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC:
{os.cpu_count()} cores ({platform.machine()}), PostgreSQL {version} ({database}), Python {platform.python_version()}.
The machine is shared with other work; load average (1 / 5 / 15 min): before {load_before}, after the raw COPY
{load_baseline}, after import #1 {load_first}, at the end {load_after}.

Input: `sinergi generate --households {args.households} --seed {args.seed}`: {args.households:,} households +
{member_rows:,} members = {rows:,} rows{generated}.

| run | wall | rows/s | phases (s) |
|---|---|---|---|
| raw `COPY` into the same indexed tables | {raw_seconds:.0f} s | {rows / raw_seconds:,.0f} | {raw_phases} |
| import #1, empty registry | {first_seconds:.0f} s | {rows / first_seconds:,.0f} | {_phases(first)} |
| import #2, the same files | {again_seconds:.0f} s | {rows / again_seconds:,.0f} | {_phases(again)} |

- Import #1 vs raw COPY: **{raw_seconds / first_seconds:.2f}x** (goal >= 0.6x). {first["status"]}: {_counts(counts)}.
- Peak RSS of the importing process: **{peak:.0f} MB** (goal <= 1 GB); of the child that parses the second part
  of each large file: {child_peak:.0f} MB.
- Import #2: {again["status"]}: {_counts(recount)},
  in **{again_seconds / first_seconds:.2f}x** import #1's time (goal <= 0.5x).
- The raw COPY gets its rows with ids and family ids precomputed (untimed) and does no validation; the import also
  writes {feed_rows:,} feed entries (one jsonb record each, under the feed lock), its staging and plan tables, and
  checks every row. Parsing runs while PostgreSQL only takes the staging COPY; checking and publishing are SQL.
"""
    _write_section(text)
    print(text)


if __name__ == "__main__":
    main()
