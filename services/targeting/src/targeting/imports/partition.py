"""Parsing the second part of a large file in a child process while the job's process parses the first.

The per-row Python work (the csv module, then the registry's rules on every cell) is what an import's
parsing phase waits for, and it runs on one core; a child process gets another. The child reads from a
record boundary (reader.split_point), runs the same RowValidator and stage_rows as the job, and writes COPY
text and problems to files that the job streams into its own staging COPY afterwards. It never touches the
database, so atomicity stays with the job's one transaction; if it fails, the job parses that part itself.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kit.ids import uuid7_sequence
from targeting.imports.dialects import FileKind
from targeting.imports.reader import CsvFile
from targeting.imports.rows import Context, RowValidator, resolve_header, stage_rows

SPLIT_BYTES = 32 << 20  # files below this are read by one process: starting a child costs about a second
CHILD_IDS = 1 << 47  # the child's id counter starts here, so its ids never meet the job's


@dataclass(frozen=True)
class Part:
    path: Path
    offset: int
    lines_before: int
    delimiter: str
    kind: FileKind
    header: list[str]
    context: Context
    rows: Path  # COPY text out
    problems: Path  # problems CSV out
    parent: int

    def to_json(self) -> str:
        context = self.context
        return json.dumps({
            "path": str(self.path), "offset": self.offset, "lines_before": self.lines_before,
            "delimiter": self.delimiter, "kind": self.kind.value, "header": self.header,
            "context": {"regency_prefixes": sorted(context.regency_prefixes), "villages": sorted(context.villages),
                        "scope": context.scope, "today": context.today.isoformat()},
            "rows": str(self.rows), "problems": str(self.problems), "parent": self.parent})

    @classmethod
    def from_json(cls, text: str) -> Part:
        raw = json.loads(text)
        context = raw["context"]
        return cls(Path(raw["path"]), raw["offset"], raw["lines_before"], raw["delimiter"], FileKind(raw["kind"]),
                   raw["header"], Context(frozenset(context["regency_prefixes"]), frozenset(context["villages"]),
                                          context["scope"], date.fromisoformat(context["today"])),
                   Path(raw["rows"]), Path(raw["problems"]), raw["parent"])


def parse_part(part: Part) -> None:
    """The child's work; its row count goes to `<rows>.count` last, so a count means complete output."""
    def orphaned(_count: int) -> None:
        if os.getppid() != part.parent:  # the job's process died (kill -9): nobody will read this
            os._exit(1)

    with CsvFile(part.path, start=(part.offset, part.lines_before, part.delimiter)) as source, \
            part.rows.open("w", encoding="utf-8", newline="") as rows, \
            part.problems.open("w", encoding="utf-8", newline="") as problems:
        validator = RowValidator(part.kind, resolve_header(part.kind, part.header), part.context)
        count = stage_rows(part.kind, source.records(), validator, len(part.header), rows.write,
                           csv.writer(problems), uuid7_sequence(CHILD_IDS), orphaned)
    part.rows.with_suffix(".count").write_text(str(count))


class ChildParse:
    """A started child; `wait` returns its row count, or None when it failed (the caller parses the part)."""

    def __init__(self, part: Part) -> None:
        self.part = part
        order = part.rows.with_suffix(".json")
        order.write_text(part.to_json())
        # A fresh interpreter (not fork: the job's process holds database connections and a heartbeat
        # thread; not multiprocessing's spawn either, which re-imports the caller's __main__).
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, this module, a path it wrote
            [sys.executable, "-m", "targeting.imports.partition", str(order)])

    def wait(self, check: Callable[[], None], poll: float = 1.0) -> int | None:
        """Waits for the child, calling `check` (which may raise to abort) while it runs."""
        while True:
            check()
            try:
                code = self.process.wait(poll)
                break
            except subprocess.TimeoutExpired:
                continue
        counted = self.part.rows.with_suffix(".count")
        if code != 0 or not counted.exists():
            return None
        return int(counted.read_text())

    def stream(self, write: Callable[[bytes], Any], problems: Any) -> None:
        with self.part.rows.open("rb") as rows:
            while chunk := rows.read(1 << 20):
                write(chunk)
        with self.part.problems.open(encoding="utf-8", newline="") as found:
            problems.writerows(csv.reader(found))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait()


if __name__ == "__main__":
    parse_part(Part.from_json(Path(sys.argv[1]).read_text()))
