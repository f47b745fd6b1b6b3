"""Every refusal code, with its file, line (header = 1) and column; accepted rows still land."""

from datetime import date, timedelta

from kit.clock import today_jakarta
from tests.targeting import factories as f
from tests.targeting.imports import files

DISTRICT = f.BANDAR_LAMPUNG_VILLAGE


def _count(db, sql, *params):
    return db.execute(sql, params).fetchone()[0]


class TestRowRefusals:
    def test_each_code_is_reported_at_its_line_and_column_and_the_rest_is_imported(self, run_import, db):
        a, a_members = files.family()
        e, e_members = files.family()
        b = files.household()  # its only member is a child: a new family without a head
        c = files.household(welfare_decile="0")  # refused itself, so its members are too
        households = [
            a,                                                     # 2 accepted
            files.household(no_kk="1.87101E+15"),                  # 3
            files.household(no_kk="18710101012"),                  # 4
            files.household(no_kk="9999010101200001"),             # 5
            files.household(region_code="18.71.01"),               # 6
            files.household(region_code="18.71.01.9999"),          # 7
            files.household(region_code=f.LAMPUNG_SELATAN_VILLAGE),  # 8 outside an 18.71 token
            files.household(welfare_decile="11"),                  # 9
            files.household(welfare_decile="x"),                   # 10
            files.household(floor="marble"),                       # 11
            files.household(extreme_poor="ya"),                    # 12
            files.household(address="Jl. Satu\x01"),               # 13
            files.household(address="x" * 501),                    # 14
            dict(a),                                               # 15 same No. KK as line 2
            b,                                                     # 16
            c,                                                     # 17
            files.household(region_code=""),                       # 18
            files.household(floor_area_m2="-1"),                   # 19
            e,                                                     # 20 accepted
        ]
        members = [
            *a_members[:2],                                                        # 2, 3 accepted
            files.member(a["no_kk"], "child", nik="1871013208850001"),             # 4
            files.member(a["no_kk"], "child", nik="1871011708850000"),             # 5
            files.member(a["no_kk"], "child", nik="1899011708850001"),             # 6
            files.member(a["no_kk"], "child", nik="1.87101E+15"),                  # 7
            files.member(a["no_kk"], "child", nik="1871.0117.0885.0001"),          # 8
            files.member(a["no_kk"], "child", birth_date=(today_jakarta() + timedelta(days=1)).isoformat()),  # 9
            files.member(a["no_kk"], "child", birth_date="1899-12-31"),           # 10
            files.member(a["no_kk"], "child", birth_date="17-08-1985"),           # 11 ours is ISO only
            files.member(a["no_kk"], "child", sex="X"),                           # 12
            files.member(a["no_kk"], "head"),                                     # 13 a second head
            files.member(e["no_kk"], "child", nik=a_members[0]["nik"]),            # 14 NIK already in family A
            e_members[0],                                                         # 15 accepted
            files.member(f.no_kk(), "head"),                                       # 16 no such family
            files.member(c["no_kk"], "head"),                                     # 17
            files.member(b["no_kk"], "child", born=date(2015, 2, 2)),             # 18
            files.member(a["no_kk"], "child", name=""),                           # 19
            files.member(a["no_kk"], "child", name="Budi\x01"),                   # 20
        ]
        content = files.members_text(members).encode() + b"\n".join([
            files.members_text([files.member(a["no_kk"], "child", name="Ani\udcff")]).split("\n")[1]
            .encode("utf-8", "surrogateescape"),                                   # 21 not UTF-8
            b"x,y",                                                                # 22 two cells
        ]) + b"\n"
        run = run_import(households=files.households_text(households), members=content, region="18.71")

        assert run.outcome.status == "succeeded", run.outcome
        assert run.codes >= {
            ("households", 3, "no_kk", "no_kk_excel_mangled"), ("households", 4, "no_kk", "no_kk_format"),
            ("households", 5, "no_kk", "no_kk_region_unknown"), ("households", 6, "region_code", "region_format"),
            ("households", 7, "region_code", "region_unknown"),
            ("households", 8, "region_code", "region_outside_scope"),
            ("households", 9, "welfare_decile", "decile_range"), ("households", 10, "welfare_decile", "number_invalid"),
            ("households", 11, "floor", "code_unknown"), ("households", 12, "extreme_poor", "code_unknown"),
            ("households", 13, "address", "control_characters"), ("households", 14, "address", "too_long"),
            ("households", 15, "no_kk", "duplicate_no_kk"), ("households", 16, "no_kk", "head_count"),
            ("households", 17, "welfare_decile", "decile_range"), ("households", 18, "region_code", "required"),
            ("households", 19, "floor_area_m2", "floor_area_range"),
            ("members", 4, "nik", "nik_date_invalid"), ("members", 5, "nik", "nik_serial_zero"),
            ("members", 6, "nik", "nik_region_unknown"), ("members", 7, "nik", "nik_excel_mangled"),
            ("members", 8, "nik", "nik_format"), ("members", 9, "birth_date", "birth_date_future"),
            ("members", 10, "birth_date", "birth_date_range"), ("members", 11, "birth_date", "date_invalid"),
            ("members", 12, "sex", "code_unknown"), ("members", 13, "relationship", "head_count"),
            ("members", 14, "nik", "duplicate_nik"), ("members", 16, "no_kk", "unknown_family"),
            ("members", 17, "no_kk", "family_refused"), ("members", 18, "no_kk", "family_refused"),
            ("members", 19, "name", "required"), ("members", 20, "name", "control_characters"),
            ("members", 21, "name", "encoding_invalid"), ("members", 22, "", "column_count"),
        }
        refused_lines = {(file, line) for file, line, _column, _code in run.problems}
        assert len(refused_lines) == 17 + 18 == run.outcome.counts.rows_rejected
        counts = run.outcome.counts
        assert (counts.households_inserted, counts.members_inserted) == (2, 3)
        assert _count(db, "SELECT count(*) FROM targeting.household WHERE no_kk = ANY(%s)",
                      [a["no_kk"], e["no_kk"], b["no_kk"], c["no_kk"]]) == 2
        job = db.execute("SELECT status, rows_total, rows_rejected FROM targeting.import_job WHERE id = %s",
                         (run.job_id,)).fetchone()
        assert job == ("succeeded", 19 + 21, 35)

    def test_a_repeated_cell_gets_the_same_outcome_on_every_line(self, run_import):
        a, members = files.family()
        b, b_members = files.family()
        households = [a, files.household(welfare_decile="11"), files.household(welfare_decile="11"), b,
                      files.household(region_code="18.71.01.9999"), files.household(region_code="18.71.01.9999")]
        members += [files.member(a["no_kk"], "child", birth_date="1899-12-31"), *b_members,
                    files.member(b["no_kk"], "child", birth_date="1899-12-31")]
        run = run_import(households=files.households_text(households), members=files.members_text(members))
        assert run.codes == {
            ("households", 3, "welfare_decile", "decile_range"), ("households", 4, "welfare_decile", "decile_range"),
            ("households", 6, "region_code", "region_unknown"), ("households", 7, "region_code", "region_unknown"),
            ("members", 5, "birth_date", "birth_date_range"), ("members", 9, "birth_date", "birth_date_range")}
        assert (run.outcome.counts.households_inserted, run.outcome.counts.members_inserted) == (2, 6)

    def test_a_row_the_csv_module_cannot_split_is_refused_and_the_next_rows_still_read(self, run_import):
        a, a_members = files.family()
        later, later_members = files.family()
        huge = files.households_text([files.household(address="x" * 140_000)]).split("\n")[1]
        content = files.households_text([a]) + huge + "\n" + files.households_text([later]).split("\n")[1] + "\n"
        run = run_import(households=content, members=files.members_text(a_members + later_members))
        assert ("households", 3, "", "csv_malformed") in run.codes
        assert run.outcome.counts.households_inserted == 2


class TestHeaderRefusals:
    def test_a_missing_required_column_fails_the_job_and_imports_nothing(self, run_import, db):
        a, members = files.family()
        run = run_import(households=files.households_text([a], columns=["no_kk", "welfare_decile"]),
                         members=files.members_text(members))
        assert run.outcome.status == "failed" and "header" in run.outcome.reason
        assert run.problems == [("households", 1, "region_code", "missing_column")]
        assert _count(db, "SELECT count(*) FROM targeting.household WHERE no_kk = %s", a["no_kk"]) == 0
        assert db.execute("SELECT status, failure_reason IS NOT NULL FROM targeting.import_job WHERE id = %s",
                          (run.job_id,)).fetchone() == ("failed", True)

    def test_unknown_and_duplicate_columns_of_our_dialect_are_refused(self, run_import):
        content = "no_kk,region_code,colour,region_code\n"
        run = run_import(households=content)
        assert run.outcome.status == "failed"
        assert set(run.problems) == {("households", 1, "colour", "unknown_column"),
                                     ("households", 1, "region_code", "duplicate_column")}

    def test_a_header_of_neither_dialect_is_refused(self, run_import):
        run = run_import(members="a,b,c\n1,2,3\n")
        assert run.problems == [("members", 1, "", "dialect_unknown")]


class TestRegistryRefusals:
    def test_identifiers_held_outside_the_token_region_are_refused_without_saying_where(self, run_import, db):
        theirs, their_members = files.family(f.LAMPUNG_SELATAN_VILLAGE)
        assert run_import(households=files.households_text([theirs]), members=files.members_text(their_members),
                          region="18").outcome.status == "succeeded"
        mine, my_members = files.family(no_kk=theirs["no_kk"])
        other, other_members = files.family()
        other_members[1]["nik"] = their_members[1]["nik"]
        run = run_import(households=files.households_text([mine, other]),
                         members=files.members_text(my_members + other_members), region="18.71")
        assert run.codes == {("households", 2, "no_kk", "no_kk_taken"), ("members", 2, "no_kk", "family_refused"),
                             ("members", 3, "no_kk", "family_refused"), ("members", 4, "no_kk", "family_refused"),
                             ("members", 6, "nik", "nik_taken")}
        holder = db.execute("SELECT h.region_code FROM targeting.member m JOIN targeting.household h "
                            "ON h.id = m.household_id WHERE m.nik = %s", (their_members[1]["nik"],)).fetchone()
        assert holder == (f.LAMPUNG_SELATAN_VILLAGE,)
        outside = run_import(members=files.members_text([files.member(theirs["no_kk"], "child")]), region="18.71")
        assert outside.problems == [("members", 2, "no_kk", "unknown_family")]

    def test_a_second_head_next_to_one_in_the_registry_is_refused(self, run_import):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        run = run_import(members=files.members_text([files.member(a["no_kk"], "head")]))
        assert run.problems == [("members", 2, "relationship", "head_count")]
        assert run.outcome.counts.members_inserted == 0

    def test_a_row_matching_two_active_records_is_refused_not_applied_to_one(self, run_import, db):
        """The partial unique indexes make this impossible; should they ever go, no row picks a match."""
        a, a_members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(a_members))
        household_copy = ("INSERT INTO targeting.household SELECT (jsonb_populate_record(NULL::targeting.household, "
                          "to_jsonb(t) || jsonb_build_object('id', gen_random_uuid()))).* FROM targeting.household t "
                          "WHERE no_kk = %s RETURNING id")
        member_copy = ("INSERT INTO targeting.member SELECT (jsonb_populate_record(NULL::targeting.member, to_jsonb(t) "
                       "|| jsonb_build_object('id', gen_random_uuid(), 'household_id', %s::uuid))).* "
                       "FROM targeting.member t WHERE nik = %s")
        try:
            db.execute("DROP INDEX targeting.uq_household_no_kk_active")
            db.execute("DROP INDEX targeting.uq_member_nik_active")
            twin = db.execute(household_copy, (a["no_kk"],)).fetchone()[0]
            db.execute(member_copy, (twin, a_members[0]["nik"]))
            b, b_members = files.family()
            b_members[1]["nik"] = a_members[0]["nik"]
            newborn = files.member(a["no_kk"], "child", born=date(2024, 5, 5))
            run = run_import(households=files.households_text([a, b]),
                             members=files.members_text([*b_members, newborn]))
            assert run.problems == [("households", 2, "no_kk", "ambiguous_match"),
                                    ("members", 3, "nik", "ambiguous_match"), ("members", 5, "no_kk", "family_refused")]
            assert run.outcome.counts.households_updated == 0 and run.outcome.counts.members_updated == 0
        finally:
            db.execute("DELETE FROM targeting.member WHERE household_id IN (SELECT id FROM targeting.household WHERE "
                       "no_kk = %s) AND id NOT IN (SELECT entity_id FROM targeting.registry_change)", (a["no_kk"],))
            db.execute("DELETE FROM targeting.household WHERE no_kk = %s AND id NOT IN "
                       "(SELECT entity_id FROM targeting.registry_change)", (a["no_kk"],))
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_household_no_kk_active ON targeting.household (no_kk) "
                       "WHERE status = 'active'")
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_member_nik_active ON targeting.member (nik) "
                       "WHERE status = 'active'")
