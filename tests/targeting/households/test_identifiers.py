from datetime import date

import pytest

from targeting.households.identifiers import IdentifierError, check_nik, check_no_kk, nik_findings

KNOWN = frozenset({"1871", "1801"})


class TestCheckNik:
    def test_accepts_a_valid_male_nik_and_trims_outer_space(self):
        assert check_nik(" 1871011708850001 ", KNOWN) == "1871011708850001"

    def test_accepts_a_female_day_plus_40(self):
        assert check_nik("1871015708850002", KNOWN) == "1871015708850002"

    def test_accepts_an_unknown_kecamatan(self):
        assert check_nik("1871991708850001", KNOWN) == "1871991708850001"

    @pytest.mark.parametrize(("value", "code"), [
        ("187101170885000", "nik_format"),
        ("18710117088500012", "nik_format"),
        ("1871 0117088500 1", "nik_format"),
        ("1871.0117.0885.0001", "nik_format"),
        ("1871-011708850001", "nik_format"),
        ("187101170885000a", "nik_format"),
        ("\uff11" * 16, "nik_format"),  # full-width digits are not ASCII digits
        ("1.87101E+15", "nik_excel_mangled"),
        ("1871011708850001.0", "nik_excel_mangled"),
        ("1899011708850001", "nik_region_unknown"),
        ("1871013208850001", "nik_date_invalid"),
        ("1871017208850001", "nik_date_invalid"),
        ("1871018108850001", "nik_date_invalid"),
        ("1871019908850001", "nik_date_invalid"),
        ("1871011713850001", "nik_date_invalid"),
        ("1871013002850001", "nik_date_invalid"),
        ("1871011708850000", "nik_serial_zero"),
    ])
    def test_refuses_with_a_stable_code(self, value, code):
        with pytest.raises(IdentifierError) as caught:
            check_nik(value, KNOWN)
        assert caught.value.code == code

    def test_accepts_29_february_in_a_leap_year_of_either_century(self):
        assert check_nik("1871012902000001", KNOWN)

    def test_prefix_check_is_skipped_without_a_catalog(self):
        assert check_nik("1899011708850001") == "1899011708850001"


class TestCheckNoKK:
    def test_accepts_16_digits_with_a_known_regency(self):
        assert check_no_kk("1871010101200001", KNOWN) == "1871010101200001"

    @pytest.mark.parametrize(("value", "code"), [
        ("3.57301E+15", "no_kk_excel_mangled"),
        ("187101010120001", "no_kk_format"),
        ("9999010101200001", "no_kk_region_unknown"),
    ])
    def test_refuses(self, value, code):
        with pytest.raises(IdentifierError) as caught:
            check_no_kk(value, KNOWN)
        assert caught.value.code == code


class TestFindings:
    def test_consistent_nik_has_no_findings(self):
        assert nik_findings("1871015708850002", "F", date(1985, 8, 17)) == []

    def test_sex_and_date_mismatch_are_warnings(self):
        assert nik_findings("1871015708850002", "M", date(1985, 8, 18)) == [
            "nik_sex_mismatch", "nik_birth_date_mismatch"]
