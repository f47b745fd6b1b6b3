"""Reading an uploaded CSV as it lies on disk: UTF-8 with or without BOM, comma or semicolon separated
(sniffed from the header line), each record with the physical line it starts on (the header is line 1).
A large file can be read as two parts at once (`split_point`), the second from a byte offset."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

# Invalid UTF-8 bytes survive decoding as lone surrogates, so one bad row is refused instead of the file.
ENCODING_ERRORS = "surrogateescape"
_CHUNK = 1 << 20
_SPLIT_SEARCH = 8 << 20  # bytes after the middle searched for a line break outside quotes


def count_lines(path: Path) -> int:
    """Physical lines after the header: the data-row count unless quoted cells hold line breaks."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def split_point(path: Path, minimum: int) -> tuple[int, int] | None:
    """Where a file of at least `minimum` bytes may be cut in two: (byte offset just after a line break
    near the middle, number of lines before it), or None.

    The cut is a line break preceded by an even number of quote characters, which is a record boundary
    when every quote opens, closes or doubles inside a quoted cell. A file may break that assumption (a stray
    quote in an unquoted cell), so the reader of the first part checks that its last record ends exactly
    there (`CsvFile.records(stop_line=...)`) and the caller reads on sequentially when it does not. No cut
    after a lone carriage return: the csv module counts those as line breaks, the line count here would not.
    """
    size = path.stat().st_size
    if size < max(minimum, 1):
        return None
    middle = size // 2
    quotes = lines = position = 0
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            data = carry + chunk
            carry = b"\r" if data.endswith(b"\r") else b""
            body = data[:-1] if carry else data
            if body.count(b"\r") != body.count(b"\r\n"):
                return None
            if position + len(chunk) > middle:
                found, at, seen_quotes, seen_lines = chunk.find(b"\n", max(middle - position, 0)), 0, quotes, lines
                while found >= 0:
                    seen_quotes += chunk.count(b'"', at, found)
                    seen_lines += chunk.count(b"\n", at, found) + 1
                    at = found + 1
                    if seen_quotes % 2 == 0:
                        return (position + at, seen_lines) if position + at < size else None
                    found = chunk.find(b"\n", at)
                if position + len(chunk) > middle + _SPLIT_SEARCH:
                    return None
            quotes += chunk.count(b'"')
            lines += chunk.count(b"\n")
            position += len(chunk)
    return None


class CsvFile:
    """`with CsvFile(path) as source:` then `source.header` and `source.records()`.

    `CsvFile(path, start=(offset, lines_before, delimiter))` reads the records after a split point instead
    (no header: the caller has it from the first part)."""

    def __init__(self, path: Path, start: tuple[int, int, str] | None = None) -> None:
        self.path, self.start = path, start
        self.header: list[str] = []
        self.stopped_at_split = False
        self._lines_before = 1

    def __enter__(self) -> CsvFile:
        if self.start is not None:
            offset, self._lines_before, self.delimiter = self.start
            binary = self.path.open("rb")
            binary.seek(offset)
            self._handle = io.TextIOWrapper(binary, encoding="utf-8", errors=ENCODING_ERRORS, newline="")
            return self
        self._handle = self.path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS, newline="")
        first = self._handle.readline()
        self.delimiter = ";" if first.count(";") > first.count(",") else ","
        self.header = [name.strip() for name in next(csv.reader([first], delimiter=self.delimiter), [])]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._handle.close()

    def records(self, stop_line: int | None = None) -> Iterator[tuple[int, list[str] | None, str]]:
        """(line the record starts on, cells or None when the csv module cannot split it, why).

        With `stop_line`, stops after a record that ends on that line and sets `stopped_at_split`; when a
        record runs across it instead, carries on to the end of the file."""
        reader = csv.reader(self._handle, delimiter=self.delimiter)
        base = end = self._lines_before
        while True:
            try:
                for cells in reader:
                    start, end = end + 1, base + reader.line_num
                    if cells:
                        yield start, cells, ""
                    if end == stop_line:
                        self.stopped_at_split = True
                        return
                return
            except csv.Error as exc:
                start, end = end + 1, base + reader.line_num
                yield start, None, str(exc)
                if end == stop_line:
                    self.stopped_at_split = True
                    return
