"""`sinergi import`, `sinergi generate` and the demo registry `sinergi run` seeds: the CLI side of the
targeting service's import jobs (the same job code, run in this process as a province-wide operator)."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from targeting.imports.dialects import FileKind
from targeting.imports.jobs import JobSettings, run_local
from targeting.imports.repository import problems_of, registry_is_empty
from targeting.imports.runner import Outcome, import_engine
from targeting.imports.service import CSV_HEADER

PROVINCE = "18"
DEMO_SEED = 2022


def run_import(database_url: str, files: dict[FileKind, Path], *, operator: str, errors: Path | None,
               quiet: bool = False) -> tuple[uuid.UUID, Outcome]:
    engine = import_engine(database_url)
    try:
        with Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=quiet, transient=False) as bar:
            task = bar.add_task("starting", total=None)

            def progress(phase: str, processed: int, total: int | None) -> None:
                bar.update(task, description=phase, completed=processed, total=total)

            def waiting() -> None:
                bar.update(task, description="waiting for another import to finish")

            job_id, outcome = run_local(engine, files, client_id=f"cli:{operator}", region=PROVINCE,
                                        settings=JobSettings(), progress=progress, waiting=waiting)
            bar.update(task, description=outcome.status)
        if errors is not None:
            with engine.connect() as connection, errors.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(CSV_HEADER)
                writer.writerows(tuple(row) for row in problems_of(connection, job_id))
    finally:
        engine.dispose()
    return job_id, outcome


def summary(job_id: uuid.UUID, outcome: Outcome) -> str:
    body: dict[str, object] = {"id": str(job_id), "status": outcome.status}
    if outcome.counts is not None:
        body.update(vars(outcome.counts))
    if outcome.reason:
        body["failure_reason"] = outcome.reason
    return json.dumps(body)


def seed_demo(database_url: str, households: int, folder: Path) -> int:
    """An empty registry gets a small synthetic one, so `make run` has something to show; 0 when not empty."""
    from sinergi.generator import generate

    engine = import_engine(database_url)
    try:
        with engine.connect() as connection:
            if not registry_is_empty(connection):
                return 0
    finally:
        engine.dispose()
    generated = generate(households, DEMO_SEED, folder)
    _job, outcome = run_import(database_url, {FileKind.households: generated.households_path,
                                              FileKind.members: generated.members_path},
                               operator="demo-seed", errors=None, quiet=True)
    if outcome.status != "succeeded":
        typer.echo(f"demo seed failed: {outcome.reason}", err=True)
        return 0
    return generated.households
