"""Both column dialects, BOM, semicolons, and the generator's files going through the import unchanged."""

from pathlib import Path

from sinergi.generator import generate
from targeting.imports.dialects import DIALECTS, FileKind
from tests.targeting import factories as f
from tests.targeting.imports import files

DTSEN_HOUSEHOLDS = ("no_kk;kode_wilayah;alamat;desil_nasional_keluarga;kemiskinan_ekstrem;luas_lantai_bangunan;"
                    "id_lantai_terluas;id_dinding_terluas;id_atap_terluas;id_sumber_airminum;id_sumberpenerangan;"
                    "id_bb_utama;id_fasilitas_bab;ada_tv;ada_motor;aset_bergerak_lemari_es;jml_sapi\n")
DTSEN_MEMBERS = ("no_kk,nik,nama,id_jenis_kelamin,tanggal_lahir,id_hub_kepala_keluarga,id_jenjang_pendidikan_dukcapil,"
                 "id_partisipasi_sekolah,id_pekerjaan_utama,id_disabilitas,id_penyakit_menahun,status_hamil,"
                 "desil_nasional_anggota\n")


class TestDtsen:
    def test_numeric_codes_map_to_the_registry_codes(self, run_import, db):
        no_kk = f.no_kk()
        head, wife = f.nik(), f.nik(female=True)
        households = DTSEN_HOUSEHOLDS + f"{no_kk};1871011003;Gg. Mawar 2;2;1;30,5;9;6;9;7;3;8;4;3;2;2;5\n"
        members = DTSEN_MEMBERS + (f"{no_kk},{head},Ahmad,1,17-08-1985,1,3,2,9,2,1,2,2\n"
                                   f"{no_kk},{wife},Siti,2,17/08/1985,2,5,2,2,2,2,1,2\n")
        run = run_import(households=households, members=members)
        assert run.outcome.status == "succeeded" and run.problems == [], run
        household = db.execute(
            "SELECT region_code, address, welfare_decile, extreme_poor, floor_area_m2, floor, wall, roof, "
            "drinking_water, lighting, cooking_fuel, toilet FROM targeting.household WHERE no_kk = %s",
            (no_kk,)).fetchone()
        assert household == ("18.71.01.1003", "Gg. Mawar 2", 2, True, 30.5, "earth", "bamboo", "thatch",
                             "unprotected_well", "non_electric", "firewood", "none")
        people = db.execute(
            "SELECT name, sex, birth_date::text, relationship, education, school_participation, occupation, "
            "disability, chronic_illness, pregnant FROM targeting.member WHERE nik = ANY(%s) ORDER BY name",
            ([head, wife],)).fetchall()
        assert people == [("Ahmad", "M", "1985-08-17", "head", "primary", "dropped_out", "farmer", False, True, False),
                          ("Siti", "F", "1985-08-17", "spouse", "senior_secondary", "dropped_out", "housekeeping",
                           False, False, True)]

    def test_the_ya_tidak_pair_is_per_column(self, run_import):
        rows = []
        for ada_tv, ada_motor, lemari in (("3", "1", "1"), ("4", "2", "2"), ("1", "1", "1"), ("3", "3", "1"),
                                          ("3", "1", "4")):
            rows.append(f"{f.no_kk()};1871011003;;1;2;20;1;1;1;1;1;1;1;{ada_tv};{ada_motor};{lemari};0\n")
        run = run_import(households=DTSEN_HOUSEHOLDS + "".join(rows))
        assert run.codes == {("households", 4, "ada_tv", "code_unknown"),
                             ("households", 5, "ada_motor", "code_unknown"),
                             ("households", 6, "aset_bergerak_lemari_es", "code_unknown"),
                             # The valid rows are new families without members:
                             ("households", 2, "no_kk", "head_count"), ("households", 3, "no_kk", "head_count")}

    def test_any_other_code_is_a_row_error(self, run_import):
        no_kk = f.no_kk()
        members = DTSEN_MEMBERS + f"{no_kk},{f.nik()},Ahmad,3,1985-08-17,9,11,5,99,0,2,2,1\n"
        run = run_import(members=members)
        assert {(column, code) for _file, _line, column, code in run.problems} == {
            ("id_jenis_kelamin", "code_unknown"), ("id_hub_kepala_keluarga", "code_unknown"),
            ("id_jenjang_pendidikan_dukcapil", "code_unknown"), ("id_partisipasi_sekolah", "code_unknown"),
            ("id_pekerjaan_utama", "code_unknown"), ("id_disabilitas", "code_unknown")}

    def test_every_code_map_lands_on_a_registry_code(self):
        from targeting.households import codes
        enums = {"floor": codes.Floor, "wall": codes.Wall, "roof": codes.Roof, "drinking_water": codes.DrinkingWater,
                 "lighting": codes.Lighting, "cooking_fuel": codes.CookingFuel, "toilet": codes.Toilet,
                 "sex": codes.Sex, "relationship": codes.Relationship, "education": codes.Education,
                 "school_participation": codes.SchoolParticipation, "occupation": codes.Occupation}
        for dialect in DIALECTS:
            for kind in FileKind:
                for column in dialect.columns(kind):
                    if column.field in enums:
                        allowed = {m.value for m in enums[column.field]} | {None}
                        assert set(column.codes.values()) <= allowed, (dialect.name, column.header)


class TestFileShapes:
    def test_a_bom_and_semicolons_are_read(self, run_import, db):
        a, members = files.family()
        run = run_import(households=files.households_text([a], delimiter=";"),
                         members=files.members_text(members, delimiter=";"), bom=True)
        assert run.outcome.status == "succeeded" and run.problems == []
        assert db.execute("SELECT count(*) FROM targeting.household WHERE no_kk = %s", (a["no_kk"],)).fetchone() == (1,)

    def test_generated_files_of_both_dialects_import_cleanly_and_identically(self, run_import, db, tmp_path: Path):
        ours = generate(40, 11, tmp_path / "ours")
        first = run_import(households=ours.households_path.read_text(), members=ours.members_path.read_text())
        assert first.problems == [] and first.outcome.counts.households_inserted == 40
        assert first.outcome.counts.members_inserted == ours.members
        dtsen = generate(40, 11, tmp_path / "dtsen", "dtsen")
        second = run_import(households=dtsen.households_path.read_text(), members=dtsen.members_path.read_text())
        counts = second.outcome.counts
        assert second.problems == [] and (counts.households_inserted, counts.members_inserted) == (0, 0)
        # DTSEN has no code for "not yet in school" (nor distinguishes every education level), so only those move.
        changed = db.execute("SELECT data->>'school_participation', count(*) FROM targeting.registry_change "
                             "WHERE import_id = %s GROUP BY 1", (second.job_id,)).fetchall()
        assert {value for value, _ in changed} <= {None}
        assert counts.households_updated == 0
