"""Upserts by No. KK and NIK: inserts, real updates with feed entries, no-op re-imports, absent columns."""

from datetime import date

from tests.targeting import factories as f
from tests.targeting.imports import files


def _feed(db, job_id):
    return db.execute("SELECT type, entity_id, household_id, region_code, data, client_id FROM "
                      "targeting.registry_change WHERE import_id = %s ORDER BY seq", (job_id,)).fetchall()


class TestUpsert:
    def test_inserts_emit_created_entries_households_first_with_the_record_shape(self, run_import, db):
        a, members = files.family()
        run = run_import(households=files.households_text([a]), members=files.members_text(members))
        counts = run.outcome.counts
        assert (counts.households_inserted, counts.members_inserted, counts.rows_rejected) == (1, 3, 0)
        feed = _feed(db, run.job_id)
        assert [entry[0] for entry in feed] == ["household.created"] + ["member.created"] * 3
        household = feed[0][4]
        assert household == {
            "id": str(feed[0][1]), "no_kk": a["no_kk"], "id_dtks": None, "region_code": a["region_code"],
            "address": a["address"], "welfare_decile": 1, "extreme_poor": True,
            "housing": {"floor_area_m2": 24.5, "floor": "earth", "wall": "bamboo", "roof": "thatch",
                        "drinking_water": "unprotected_well", "lighting": "non_pln", "cooking_fuel": "firewood",
                        "toilet": "none"},
            "status": "active", "inactive_reason": None, "version": 1}
        head = feed[1][4]
        assert head["nik"] == members[0]["nik"] and head["household_id"] == str(feed[0][1])
        assert head["region_code"] == a["region_code"] and head["data_quality"] == [] and head["version"] == 1
        assert {entry[5] for entry in feed} == {"cli:imports-test"}
        source = db.execute("SELECT source FROM targeting.household WHERE id = %s", (feed[0][1],)).fetchone()
        assert source == ("import",)

    def test_reimporting_the_same_files_changes_nothing_and_emits_nothing(self, run_import, db):
        a, members = files.family()
        first = run_import(households=files.households_text([a]), members=files.members_text(members))
        again = run_import(households=files.households_text([a]), members=files.members_text(members))
        counts = again.outcome.counts
        assert (counts.households_inserted, counts.households_updated, counts.members_inserted,
                counts.members_updated) == (0, 0, 0, 0)
        assert _feed(db, again.job_id) == []
        assert db.execute("SELECT version FROM targeting.household WHERE no_kk = %s", (a["no_kk"],)).fetchone() == (1,)
        assert len(_feed(db, first.job_id)) == 4

    def test_a_changed_row_updates_bumps_the_version_and_emits_updated(self, run_import, db):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        a["welfare_decile"] = "3"
        members[2]["school_participation"] = "enrolled"
        run = run_import(households=files.households_text([a]), members=files.members_text(members))
        counts = run.outcome.counts
        assert (counts.households_updated, counts.members_updated, counts.members_inserted) == (1, 1, 0)
        feed = _feed(db, run.job_id)
        assert [(entry[0], entry[4]["version"]) for entry in feed] == [("household.updated", 2), ("member.updated", 2)]
        assert feed[0][4]["welfare_decile"] == 3 and feed[1][4]["school_participation"] == "enrolled"

    def test_a_column_absent_from_the_file_leaves_the_field_as_stored(self, run_import, db):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        run = run_import(households=files.households_text([{**a, "welfare_decile": "4"}],
                                                          columns=["no_kk", "region_code", "welfare_decile"]))
        assert run.outcome.counts.households_updated == 1
        stored = db.execute("SELECT welfare_decile, floor, extreme_poor, address FROM targeting.household "
                            "WHERE no_kk = %s", (a["no_kk"],)).fetchone()
        assert stored == (4, "earth", True, a["address"])

    def test_an_empty_cell_clears_an_optional_field(self, run_import, db):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        run_import(households=files.households_text([{**a, "floor": "", "extreme_poor": ""}]))
        assert db.execute("SELECT floor, extreme_poor FROM targeting.household WHERE no_kk = %s",
                          (a["no_kk"],)).fetchone() == (None, False)

    def test_a_member_under_another_family_moves_there(self, run_import, db):
        a, a_members = files.family()
        b, b_members = files.family()
        run_import(households=files.households_text([a, b]), members=files.members_text(a_members + b_members))
        moved = {**a_members[2], "no_kk": b["no_kk"]}
        run = run_import(members=files.members_text([moved]))
        assert run.outcome.counts.members_updated == 1
        family = db.execute("SELECT h.no_kk FROM targeting.member m JOIN targeting.household h "
                            "ON h.id = m.household_id WHERE m.nik = %s AND m.status = 'active'",
                            (moved["nik"],)).fetchone()
        assert family == (b["no_kk"],)
        assert [entry[0] for entry in _feed(db, run.job_id)] == ["member.updated"]

    def test_a_family_that_moves_village_reannounces_its_members_with_the_new_region(self, run_import, db):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        run = run_import(households=files.households_text([{**a, "region_code": f.BANDAR_LAMPUNG_VILLAGE_2}]))
        feed = _feed(db, run.job_id)
        assert [entry[0] for entry in feed] == ["household.updated"] + ["member.updated"] * 3
        assert {entry[3] for entry in feed} == {f.BANDAR_LAMPUNG_VILLAGE_2}
        assert {entry[4]["region_code"] for entry in feed[1:]} == {f.BANDAR_LAMPUNG_VILLAGE_2}

    def test_members_only_files_join_families_already_in_the_registry(self, run_import, db):
        a, members = files.family()
        run_import(households=files.households_text([a]), members=files.members_text(members))
        newborn = files.member(a["no_kk"], "child", born=date(2025, 1, 2), sex="M", occupation="",
                               school_participation="not_yet", education="")
        run = run_import(members=files.members_text([newborn]))
        assert run.outcome.counts.members_inserted == 1
        assert db.execute("SELECT count(*) FROM targeting.member m JOIN targeting.household h ON h.id = "
                          "m.household_id WHERE h.no_kk = %s", (a["no_kk"],)).fetchone() == (4,)

    def test_nik_warnings_are_recorded_like_the_api_does(self, run_import, db):
        a, members = files.family()
        members[0]["birth_date"] = "1980-03-06"  # the NIK says 5 March
        run_import(households=files.households_text([a]), members=files.members_text(members))
        assert db.execute("SELECT data_quality FROM targeting.member WHERE nik = %s",
                          (members[0]["nik"],)).fetchone() == (["nik_birth_date_mismatch"],)
