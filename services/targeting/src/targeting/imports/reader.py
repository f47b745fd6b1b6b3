"""Reading an uploaded CSV as it lies on disk: UTF-8 with or without BOM, comma or semicolon separated
(sniffed from the header line), each record with the physical line it starts on (the header is line 1)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

# Invalid UTF-8 bytes survive decoding as lone surrogates, so one bad row is refused instead of the file.
ENCODING_ERRORS = "surrogateescape"
_CHUNK = 1 << 20


def count_lines(path: Path) -> int:
    """Physical lines after the header: the data-row count unless quoted cells hold line breaks."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


class CsvFile:
    """`with CsvFile(path) as source:` then `source.header` and `source.records()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header: list[str] = []

    def __enter__(self) -> CsvFile:
        self._handle = self.path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS, newline="")
        first = self._handle.readline()
        self.delimiter = ";" if first.count(";") > first.count(",") else ","
        self.header = [name.strip() for name in next(csv.reader([first], delimiter=self.delimiter), [])]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._handle.close()

    def records(self) -> Iterator[tuple[int, list[str] | None, str]]:
        """(line the record starts on, cells or None when the csv module cannot split it, why)."""
        reader = csv.reader(self._handle, delimiter=self.delimiter)
        end = 1
        while True:
            try:
                for cells in reader:
                    start, end = end + 1, 1 + reader.line_num
                    if cells:
                        yield start, cells, ""
                return
            except csv.Error as exc:
                start, end = end + 1, 1 + reader.line_num
                yield start, None, str(exc)
