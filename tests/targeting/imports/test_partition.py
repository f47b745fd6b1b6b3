"""Large files are parsed in two processes (imports.partition): the result is the sequential one, line
numbers included, whether the cut falls between records, inside a quoted cell, or the child fails."""

from pathlib import Path

import pytest

from targeting.imports import partition
from targeting.imports.reader import CsvFile, split_point
from tests.targeting.imports import files

SPLIT_EVERYTHING = 1


def _families(count: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    households, members = [], []
    for _ in range(count):
        head, people = files.family()
        households.append(head)
        members += people
    return households, members


def _records(path: Path) -> list[tuple[int, list[str] | None, str]]:
    with CsvFile(path) as source:
        return list(source.records())


def _in_two_parts(path: Path) -> tuple[list[tuple[int, list[str] | None, str]], bool]:
    cut = split_point(path, SPLIT_EVERYTHING)
    assert cut is not None
    with CsvFile(path) as source:
        first, delimiter = list(source.records(stop_line=cut[1])), source.delimiter
        if not source.stopped_at_split:
            return first, False
    with CsvFile(path, start=(cut[0], cut[1], delimiter)) as rest:
        return first + list(rest.records()), True


class TestSplitPoint:
    def test_two_parts_read_the_records_of_one_sequential_read(self, tmp_path):
        path = files.write(tmp_path, "m.csv", "a,b\n" + "".join(f'{i},"x, {i}"\n' for i in range(200)), bom=True)
        records, split = _in_two_parts(path)
        assert split and records == _records(path)

    def test_a_quoted_line_break_at_the_middle_is_not_a_cut(self, tmp_path):
        rows = [f"{i},plain\n" for i in range(50)]
        rows[25] = '25,"one\n' + "\n" * 40 + 'two"\n'  # the middle of the file lies inside this cell
        path = files.write(tmp_path, "m.csv", "a,b\n" + "".join(rows))
        records, split = _in_two_parts(path)
        assert split and records == _records(path)
        assert [line for line, _, _ in records][24:27] == [26, 27, 69]

    def test_a_stray_quote_makes_the_first_part_read_on_to_the_end(self, tmp_path):
        rows = [f"{i},plain\n" for i in range(50)]
        rows[3] = '3,pla"in\n'  # literal in an unquoted cell: the quote count is odd from here on
        rows[30] = '30,"a\n' + "\n" * 10 + 'b"\n'
        path = files.write(tmp_path, "m.csv", "a,b\n" + "".join(rows))
        records, _split = _in_two_parts(path)
        assert records == _records(path)

    def test_small_files_and_lone_carriage_returns_are_not_cut(self, tmp_path):
        path = files.write(tmp_path, "m.csv", "a,b\r1,2\r" + "3,4\n" * 100)
        assert split_point(path, SPLIT_EVERYTHING) is None
        assert split_point(files.write(tmp_path, "n.csv", "a,b\n1,2\n"), 1 << 20) is None


class TestImportInTwoProcesses:
    def test_rows_problems_and_line_numbers_match_a_sequential_import(self, run_import, db):
        households, members = _families(30)
        households[25]["welfare_decile"] = "11"  # refused in the second part of the file, with its members
        members[80]["sex"] = "X"
        run = run_import(households=files.households_text(households), members=files.members_text(members),
                         split_bytes=SPLIT_EVERYTHING)
        counts = run.outcome.counts
        assert run.outcome.status == "succeeded"
        assert (counts.households_inserted, counts.members_inserted) == (29, 86)
        assert run.codes == {("households", 27, "welfare_decile", "decile_range"),
                             ("members", 77, "no_kk", "family_refused"), ("members", 78, "no_kk", "family_refused"),
                             ("members", 79, "no_kk", "family_refused"), ("members", 82, "sex", "code_unknown")}
        stored = db.execute("SELECT count(*) FROM targeting.member WHERE nik = ANY(%s)",
                            ([m["nik"] for m in members],)).fetchone()[0]
        assert stored == 86

    def test_a_failed_child_leaves_its_part_to_the_job(self, run_import, monkeypatch):
        monkeypatch.setattr(partition.ChildParse, "wait", lambda self, check, poll=1.0: None)
        households, members = _families(10)
        run = run_import(households=files.households_text(households), members=files.members_text(members),
                         split_bytes=SPLIT_EVERYTHING)
        assert run.outcome.status == "succeeded"
        assert (run.outcome.counts.households_inserted, run.outcome.counts.members_inserted) == (10, 30)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_child_reads_with_the_files_delimiter(run_import, delimiter):
    households, members = _families(8)
    run = run_import(households=files.households_text(households, delimiter=delimiter),
                     members=files.members_text(members, delimiter=delimiter), split_bytes=SPLIT_EVERYTHING, bom=True)
    assert run.outcome.status == "succeeded" and run.outcome.counts.members_inserted == 24
