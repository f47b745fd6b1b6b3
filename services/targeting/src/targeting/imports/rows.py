"""Row validation: a file's header resolved to a dialect, then every cell checked by the registry's own
rules (households.rules, households.identifiers) and turned into a staging row."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kit.auth import region_covers
from targeting.households import rules
from targeting.households.identifiers import check_nik, check_no_kk, nik_findings
from targeting.households.rules import RuleError
from targeting.imports.dialects import DIALECTS, Column, Dialect, FileKind

# Staging columns filled from the files, in COPY order (loader.STAGING adds line, ids and flags).
HOUSEHOLD_FIELDS = ("no_kk", "id_dtks", "region_code", "address", "welfare_decile", "extreme_poor",
                    "floor_area_m2", "floor", "wall", "roof", "drinking_water", "lighting", "cooking_fuel",
                    "toilet")
MEMBER_FIELDS = ("no_kk", "nik", "name", "sex", "birth_date", "relationship", "education",
                 "school_participation", "occupation", "disability", "chronic_illness", "pregnant")
FIELDS = {FileKind.households: HOUSEHOLD_FIELDS, FileKind.members: MEMBER_FIELDS}
BOOLEAN_FIELDS = frozenset({"extreme_poor", "disability", "chronic_illness", "pregnant"})

_SURROGATE = re.compile("[\udc80-\udcff]")
_TEXT_LIMITS = {"name": rules.NAME_MAX_LENGTH, "address": rules.ADDRESS_MAX_LENGTH,
                "id_dtks": rules.ID_DTKS_MAX_LENGTH}

Problem = tuple[str, str, str]  # column, code, detail


@dataclass(frozen=True)
class Context:
    """What a job's rows are checked against, loaded once per job."""

    regency_prefixes: frozenset[str]
    villages: frozenset[str]
    scope: str
    today: date


@dataclass(frozen=True)
class Header:
    dialect: Dialect | None
    columns: list[tuple[int, str, Column]]  # position, name as written, column
    problems: list[Problem]


def resolve_header(kind: FileKind, names: list[str]) -> Header:
    lowered = [name.lower() for name in names]
    scores = []
    for dialect in DIALECTS:
        known = {c.header for c in dialect.columns(kind)} - {"no_kk", "nik"}
        scores.append((sum(name in known for name in lowered), dialect))
    score, dialect = max(scores, key=lambda s: s[0])
    if score == 0:
        return Header(None, [], [("", "dialect_unknown", f"The header matches neither the sinergi nor the DTSEN "
                                                         f"{kind.value} columns; see POST /api/v1/imports.")])
    by_name = {c.header: c for c in dialect.columns(kind)}
    problems: list[Problem] = []
    columns: list[tuple[int, str, Column]] = []
    seen: set[str] = set()
    for position, (name, low) in enumerate(zip(names, lowered, strict=True)):
        if low in seen:
            problems.append((name, "duplicate_column", "This column appears twice in the header."))
        elif low in by_name:
            columns.append((position, name, by_name[low]))
        elif not dialect.ignores_unknown_columns:
            problems.append((name, "unknown_column", f"Not a column of the {dialect.name} {kind.value} dialect."))
        seen.add(low)
    for column in dialect.columns(kind):
        if column.required and column.header not in seen:
            problems.append((column.header, "missing_column", "The header lacks this required column."))
    return Header(dialect, columns, problems)


NULL = "\\N"  # COPY text format's null
# Column kinds whose cells repeat across rows (a province has ~2,600 villages, a century ~37,000 dates) and
# how many outcomes a column keeps before starting afresh (memory stays bounded whatever the file).
_REPEATING = frozenset({"region", "decile", "area", "date", "name", "address", "id_dtks"})
_OUTCOMES_KEPT = 100_000
_MISSING = object()


def _escape(value: str) -> str:
    """COPY text escaping: control characters are refused by the rules, so only backslashes remain."""
    return value.replace("\\", "\\\\") if "\\" in value else value


def _integer(cell: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise RuleError("number_invalid", "Not a whole number.") from None


def _number(cell: str) -> float:
    try:
        return float(cell.replace(",", ".") if "." not in cell else cell)
    except ValueError:
        raise RuleError("number_invalid", "Not a number.") from None


def _date(cell: str, dialect: Dialect) -> date:
    try:
        if dialect.name != "sinergi" and len(cell) == 10 and cell[2] in "-/" and cell[5] == cell[2]:
            return date(int(cell[6:]), int(cell[3:5]), int(cell[:2]))
        return date.fromisoformat(cell)
    except ValueError:
        raise RuleError("date_invalid", "Not a date (YYYY-MM-DD).") from None


def _text(cell: str, limit: int) -> str:
    if not cell.isascii() and _SURROGATE.search(cell):
        raise RuleError("encoding_invalid", "Not UTF-8; save the file as CSV UTF-8.")
    return _escape(rules.bounded_text(cell, limit))


def _region(cell: str, context: Context) -> str:
    if len(cell) == 10 and cell.isdigit():
        cell = f"{cell[:2]}.{cell[2:4]}.{cell[4:6]}.{cell[6:]}"
    rules.village_code(cell)
    if cell not in context.villages:
        raise RuleError("region_unknown", "Not an existing village (desa/kelurahan).")
    if not region_covers(context.scope, cell):
        raise RuleError("region_outside_scope", "The village lies outside this client's region.")
    return cell


def _copy_text(value: Any) -> str:
    return NULL if value is None else ("t" if value else "f") if isinstance(value, bool) else str(value)


def _reader(column: Column, dialect: Dialect, context: Context) -> Callable[[str], str]:
    """The cell's check, returning the value as COPY text for the staging table."""
    prefixes = context.regency_prefixes
    if column.kind in _TEXT_LIMITS:
        limit = _TEXT_LIMITS[column.kind]
        return lambda cell: _text(cell, limit)
    readers: dict[str, Callable[[str], str]] = {
        "no_kk": lambda cell: check_no_kk(cell, prefixes),
        "nik": lambda cell: check_nik(cell, prefixes),
        "region": lambda cell: _region(cell, context),
        "decile": lambda cell: str(rules.welfare_decile(_integer(cell))),
        "area": lambda cell: str(rules.floor_area(_number(cell))),
        "date": lambda cell: rules.birth_date(_date(cell, dialect), context.today).isoformat(),
    }
    return readers[column.kind]


class RowValidator:
    """Turns one file's records into staging rows (COPY text in FIELDS order) or problems.

    Code columns (most cells) go through a tight loop of dict lookups whose maps already hold COPY text and
    the empty cell's value; anything unusual (spaces, empty required cells, unknown codes) falls through
    to `_slow`. Other columns call their rule.
    """

    def __init__(self, kind: FileKind, header: Header, context: Context) -> None:
        assert header.dialect is not None
        slots = {field: index for index, field in enumerate(FIELDS[kind])}
        self.present = frozenset(c.field for _, _, c in header.columns if c.field is not None)
        self.columns: dict[int, tuple[str, Column, int | None]] = {
            position: (name, column, slots.get(column.field) if column.field else None)
            for position, name, column in header.columns}
        self.codes: dict[int, dict[str, str]] = {}
        self.readers: dict[int, Callable[[str], str]] = {}
        for position, (_name, column, _slot) in self.columns.items():
            if column.codes is not None:
                codes = {code: _copy_text(value) for code, value in column.codes.items()}
                if not column.required:
                    codes[""] = _empty(column)
                self.codes[position] = codes
            else:
                self.readers[position] = _reader(column, header.dialect, context)
        self.coded = [(p, self.columns[p][2], codes) for p, codes in self.codes.items()]
        # Outcomes of the rules by cell, for columns whose values repeat (villages, dates, names): the rules
        # are pure functions of the cell and the job's context, so a repeated cell gets the outcome its
        # first occurrence got from the same rule code, at the cost of one dict lookup.
        self.read = [(p, self.columns[p][2], read, {} if self.columns[p][1].kind in _REPEATING else None)
                     for p, read in self.readers.items()]
        self.empty_row = [NULL] * len(slots)
        self._last_cell, self._last_value = "", ""

    def validate(self, cells: list[str], header_width: int) -> tuple[list[str], list[Problem]]:
        if len(cells) != header_width:
            return [], [("", "column_count", f"The row has {len(cells)} cells; the header has {header_width}.")]
        values = self.empty_row.copy()
        problems: list[Problem] = []
        for position, slot, codes in self.coded:
            value = codes.get(cells[position], _MISSING)
            if value is _MISSING:
                value = self._slow(position, cells[position], problems)
                if value is _MISSING:
                    continue
            if slot is not None:
                values[slot] = value
        for position, slot, read, outcomes in self.read:
            cell = cells[position]
            if slot == 0 and cell == self._last_cell:
                values[0] = self._last_value  # members of one family repeat its No. KK row after row
                continue
            if outcomes is not None and cell:
                value = outcomes.get(cell)
                if value is None:
                    if len(outcomes) >= _OUTCOMES_KEPT:
                        outcomes.clear()
                    try:
                        value = outcomes[cell] = read(cell.strip())
                    except RuleError as exc:
                        value = outcomes[cell] = exc
                if value.__class__ is not str:
                    problems.append((self.columns[position][0], value.code, value.detail))
                    continue
                if slot is not None:
                    values[slot] = value
                continue
            try:
                value = read(cell.strip()) if cell else self._slow(position, cell, problems)
            except RuleError as exc:
                problems.append((self.columns[position][0], exc.code, exc.detail))
                continue
            if value is _MISSING:
                continue
            if slot == 0:
                self._last_cell, self._last_value = cell, value
            if slot is not None:
                values[slot] = value
        return values, problems

    def _slow(self, position: int, cell: str, problems: list[Problem]) -> Any:
        """Cells the fast paths do not settle: blank ones, codes with spaces around them, unknown codes."""
        name, column, _slot = self.columns[position]
        stripped = cell.strip()
        if not stripped:
            if column.required:
                problems.append((name, "required", "This column needs a value."))
                return _MISSING
            return _empty(column)
        codes = self.codes.get(position)
        if codes is None:
            return self.readers[position](stripped)
        if stripped in codes:
            return codes[stripped]
        problems.append((name, "code_unknown", f"Not a code of {name}; see the code lists in the API description."))
        return _MISSING


def _empty(column: Column) -> str:
    return "f" if column.field in BOOLEAN_FIELDS else NULL


def data_quality(values: list[str]) -> str:
    """The API's data-quality findings for a valid member row, as a COPY array literal."""
    return "{" + ",".join(nik_findings(values[1], values[3], date.fromisoformat(values[4]))) + "}"


BATCH = 10_000  # rows between writes to the COPY, progress reports and abort checks
Record = tuple[int, list[str] | None, str]  # line, cells (None: the csv module cannot split it), why


def stage_rows(kind: FileKind, records: Iterable[Record], validator: RowValidator, width: int,
               write: Callable[[str], Any], problems: Any, new_id: Callable[[], str],
               on_batch: Callable[[int], None]) -> int:
    """The per-row loop, the import's Python hot path: rows go to `write` as preformatted COPY text in
    blocks (psycopg's write_row per row doubled the loop's cost), problems to the csv writer `problems`.
    Returns the number of records read."""
    file, households = kind.value, kind is FileKind.households
    block: list[str] = []
    count = 0
    for line, cells, why in records:
        count += 1
        if count % BATCH == 0:
            write("".join(block))
            block.clear()
            on_batch(count)
        if cells is None:
            problems.writerow((file, line, "", "csv_malformed", "The CSV cannot be split here: " + why))
            continue
        values, found = validator.validate(cells, width)
        if found:
            problems.writerows((file, line, column, code, detail) for column, code, detail in found)
            if households and values and values[0] != NULL:  # so its members learn their family's fate
                block.append(f"{line}\tt\t{new_id()}\t" + "\t".join(values) + "\n")
        elif households:
            block.append(f"{line}\tf\t{new_id()}\t" + "\t".join(values) + "\n")
        else:
            block.append(f"{line}\t{new_id()}\t" + "\t".join(values) + f"\t{data_quality(values)}\n")
    write("".join(block))
    return count
