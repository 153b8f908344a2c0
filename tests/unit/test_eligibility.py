"""Eligibility rules (batches.eligibility): pure functions over Facts, no database.

PROGRAM.md, "Eligibility": age 18-64, not in formal education, no excluded
occupation, at most 2 recipients per family card, once per lifetime.
"""

from __future__ import annotations

import datetime as dt

import pytest

from prakerja.batches.eligibility import Facts, Rules, age_on, birthday, codes, problems
from prakerja.core.errors import Problem

RULES = Rules()
TODAY = dt.date(2026, 11, 28)

EXCLUDED = [
    "state_official",
    "dprd_member",
    "civil_servant",
    "military",
    "police",
    "village_head",
    "village_official",
    "soe_director",
]


def person(**changes: object) -> Facts:
    """An eligible applicant (aged 31 on TODAY, every step done), with ``changes`` applied."""
    facts: dict[str, object] = {
        "on": TODAY,
        "birth_date": dt.date(1995, 8, 17),
        "in_formal_education": False,
        "occupation": "not_working",
        "kk_recipients": 0,
        "prior_recipient": False,
        "revoked": False,
        "identity_verified": True,
        "profile_complete": True,
        "declaration_accepted": True,
        "test_taken": True,
    }
    facts.update(changes)
    return Facts(**facts)  # type: ignore[arg-type]


def refused(rules: Rules = RULES, **changes: object) -> list[str]:
    return codes(person(**changes), rules)


def test_the_default_person_is_eligible() -> None:
    assert refused() == []
    assert problems(person(), RULES) == []


class TestAge:
    """An applicant can join from their 18th birthday until the day before their 65th."""

    @pytest.mark.parametrize(
        ("born", "expected"),
        [
            pytest.param(dt.date(2008, 11, 29), ["AGE_OUT_OF_RANGE"], id="day-before-18th"),
            pytest.param(dt.date(2008, 11, 28), [], id="18th-birthday"),
            pytest.param(dt.date(1961, 11, 29), [], id="day-before-65th"),
            pytest.param(dt.date(1961, 11, 28), ["AGE_OUT_OF_RANGE"], id="65th-birthday"),
            pytest.param(dt.date(2026, 11, 28), ["AGE_OUT_OF_RANGE"], id="born-today"),
            pytest.param(dt.date(1940, 1, 1), ["AGE_OUT_OF_RANGE"], id="86-years"),
        ],
    )
    def test_age_boundaries(self, born: dt.date, expected: list[str]) -> None:
        assert refused(birth_date=born) == expected

    @pytest.mark.parametrize(
        ("born", "age"),
        [
            (dt.date(2008, 11, 29), 17),
            (dt.date(2008, 11, 28), 18),
            (dt.date(1961, 11, 29), 64),
            (dt.date(1961, 11, 28), 65),
        ],
    )
    def test_age_on_the_boundaries(self, born: dt.date, age: int) -> None:
        assert age_on(born, TODAY) == age

    def test_age_problem_names_the_range(self) -> None:
        [problem] = problems(person(birth_date=dt.date(2010, 1, 1)), RULES)
        assert problem.field == "birth_date"
        assert problem.params == {"min_age": 18, "max_age": 64}
        assert "18" in problem.message("en")
        assert "64" in problem.message("en")

    def test_unknown_birth_date_is_not_an_age_problem(self) -> None:
        # A missing birth date is the profile's problem, not the age rule's.
        assert refused(birth_date=None) == []

    @pytest.mark.parametrize(
        ("born", "expected"),
        [
            pytest.param(dt.date(2006, 11, 29), ["AGE_OUT_OF_RANGE"], id="19"),
            pytest.param(dt.date(2006, 11, 28), [], id="20th-birthday"),
            pytest.param(dt.date(1975, 11, 29), [], id="50"),
            pytest.param(dt.date(1975, 11, 28), ["AGE_OUT_OF_RANGE"], id="51st-birthday"),
            pytest.param(dt.date(2008, 11, 28), ["AGE_OUT_OF_RANGE"], id="18-under-custom"),
            pytest.param(dt.date(1962, 11, 28), ["AGE_OUT_OF_RANGE"], id="64-over-custom"),
        ],
    )
    def test_custom_age_range_moves_the_boundaries(self, born: dt.date, expected: list[str]) -> None:
        rules = Rules(min_age=20, max_age=50)
        assert refused(rules, birth_date=born) == expected
        if expected:
            assert problems(person(birth_date=born), rules)[0].params == {
                "min_age": 20,
                "max_age": 50,
            }


class TestLeapDay:
    """Someone born on 29 February has their birthday on 1 March in common years."""

    BORN = dt.date(2004, 2, 29)

    @pytest.mark.parametrize(
        ("year", "expected"),
        [
            (2005, dt.date(2005, 3, 1)),
            (2022, dt.date(2022, 3, 1)),
            (2024, dt.date(2024, 2, 29)),
            (2100, dt.date(2100, 3, 1)),
        ],
    )
    def test_birthday(self, year: int, expected: dt.date) -> None:
        assert birthday(self.BORN, year) == expected

    @pytest.mark.parametrize(
        ("on", "age"),
        [
            (dt.date(2005, 2, 28), 0),
            (dt.date(2005, 3, 1), 1),
            (dt.date(2008, 2, 28), 3),
            (dt.date(2008, 2, 29), 4),
            (dt.date(2022, 2, 28), 17),
            (dt.date(2022, 3, 1), 18),
            (dt.date(2024, 2, 28), 19),
            (dt.date(2024, 2, 29), 20),
        ],
    )
    def test_age_on(self, on: dt.date, age: int) -> None:
        assert age_on(self.BORN, on) == age

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param(dt.date(2022, 2, 28), ["AGE_OUT_OF_RANGE"], id="28-feb-still-17"),
            pytest.param(dt.date(2022, 3, 1), [], id="1-mar-turns-18"),
        ],
    )
    def test_18th_birthday_in_a_common_year(self, on: dt.date, expected: list[str]) -> None:
        # 18 years after a leap year is never a leap year, so this is every 29-Feb birth.
        assert refused(birth_date=self.BORN, on=on) == expected

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param(dt.date(2024, 2, 28), ["AGE_OUT_OF_RANGE"], id="28-feb-still-19"),
            pytest.param(dt.date(2024, 2, 29), [], id="29-feb-turns-20"),
        ],
    )
    def test_minimum_age_birthday_on_29_february_itself(self, on: dt.date, expected: list[str]) -> None:
        assert refused(Rules(min_age=20), birth_date=self.BORN, on=on) == expected

    @pytest.mark.parametrize(
        ("on", "expected"),
        [
            pytest.param(dt.date(2024, 2, 29), [], id="64th-birthday-29-feb"),
            pytest.param(dt.date(2025, 2, 28), [], id="28-feb-still-64"),
            pytest.param(dt.date(2025, 3, 1), ["AGE_OUT_OF_RANGE"], id="1-mar-turns-65"),
        ],
    )
    def test_65th_birthday_in_a_common_year(self, on: dt.date, expected: list[str]) -> None:
        assert refused(birth_date=dt.date(1960, 2, 29), on=on) == expected


class TestEducationAndOccupation:
    """Students and the excluded professions are told why they cannot apply."""

    def test_in_formal_education(self) -> None:
        assert refused(in_formal_education=True) == ["IN_FORMAL_EDUCATION"]

    def test_unknown_formal_education_is_not_refused_here(self) -> None:
        assert refused(in_formal_education=None) == []

    @pytest.mark.parametrize("occupation", EXCLUDED)
    def test_excluded_occupation(self, occupation: str) -> None:
        [problem] = problems(person(occupation=occupation), RULES)
        assert problem.code == "EXCLUDED_OCCUPATION"
        assert problem.field == "occupation"
        assert problem.params == {"occupation": occupation}

    def test_default_rules_exclude_exactly_the_program_list(self) -> None:
        assert sorted(RULES.excluded_occupations) == sorted(EXCLUDED)

    @pytest.mark.parametrize("occupation", ["not_working", "private_employee", "laborer", "trader", "other", ""])
    def test_other_occupations_pass(self, occupation: str) -> None:
        assert refused(occupation=occupation) == []

    def test_custom_excluded_list(self) -> None:
        rules = Rules(excluded_occupations=("trader",))
        assert refused(rules, occupation="trader") == ["EXCLUDED_OCCUPATION"]
        assert refused(rules, occupation="civil_servant") == []


class TestFamilyCardCap:
    """At most two recipients per family card: the third member is refused."""

    @pytest.mark.parametrize(
        ("others", "expected"),
        [
            pytest.param(0, [], id="first"),
            pytest.param(1, [], id="second"),
            pytest.param(2, ["KK_QUOTA_REACHED"], id="third"),
            pytest.param(5, ["KK_QUOTA_REACHED"], id="sixth"),
        ],
    )
    def test_default_cap(self, others: int, expected: list[str]) -> None:
        assert refused(kk_recipients=others) == expected

    def test_problem_names_the_cap(self) -> None:
        [problem] = problems(person(kk_recipients=2), RULES)
        assert problem.field == "kk_number"
        assert problem.params == {"cap": 2}

    @pytest.mark.parametrize(("others", "expected"), [(2, []), (3, ["KK_QUOTA_REACHED"])])
    def test_custom_cap(self, others: int, expected: list[str]) -> None:
        assert refused(Rules(kk_recipient_cap=3), kk_recipients=others) == expected


class TestOncePerLifetime:
    """A past recipient cannot receive the card again; a revoked one cannot rejoin."""

    def test_prior_recipient(self) -> None:
        assert refused(prior_recipient=True) == ["ALREADY_RECIPIENT"]

    def test_revoked(self) -> None:
        assert refused(revoked=True) == ["REVOKED"]

    def test_revoked_is_not_also_already_recipient(self) -> None:
        assert refused(revoked=True, prior_recipient=True) == ["REVOKED"]

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"prior_recipient": True}, ["ALREADY_RECIPIENT"]),
            ({"revoked": True}, ["REVOKED"]),
        ],
    )
    def test_own_card_is_not_counted_against_the_family_cap(
        self, changes: dict[str, bool], expected: list[str]
    ) -> None:
        assert refused(kk_recipients=2, **changes) == expected


class TestJourneySteps:
    """Each unfinished registration step is named on the dashboard."""

    @pytest.mark.parametrize(
        ("changes", "expected", "field"),
        [
            ({"identity_verified": False}, "IDENTITY_NOT_VERIFIED", "identity"),
            ({"profile_complete": False}, "PROFILE_INCOMPLETE", "profile"),
            ({"declaration_accepted": False}, "DECLARATION_NOT_ACCEPTED", "declaration"),
            ({"test_taken": False}, "TEST_NOT_TAKEN", "test"),
        ],
    )
    def test_unfinished_step(self, changes: dict[str, bool], expected: str, field: str) -> None:
        found = problems(person(**changes), RULES)
        assert [p.code for p in found] == [expected]
        assert found[0].field == field


class TestAllTogether:
    """Every failing rule is listed at once, in the order the dashboard explains them."""

    def test_every_rule_failing(self) -> None:
        assert refused(
            identity_verified=False,
            profile_complete=False,
            declaration_accepted=False,
            test_taken=False,
            birth_date=dt.date(2010, 1, 1),
            in_formal_education=True,
            occupation="police",
            kk_recipients=2,
        ) == [
            "IDENTITY_NOT_VERIFIED",
            "PROFILE_INCOMPLETE",
            "DECLARATION_NOT_ACCEPTED",
            "TEST_NOT_TAKEN",
            "AGE_OUT_OF_RANGE",
            "IN_FORMAL_EDUCATION",
            "EXCLUDED_OCCUPATION",
            "KK_QUOTA_REACHED",
        ]

    def test_old_former_recipient_civil_servant(self) -> None:
        assert refused(
            test_taken=False,
            birth_date=dt.date(1950, 5, 5),
            occupation="civil_servant",
            prior_recipient=True,
            kk_recipients=3,
            in_formal_education=True,
            profile_complete=False,
        ) == [
            "PROFILE_INCOMPLETE",
            "TEST_NOT_TAKEN",
            "AGE_OUT_OF_RANGE",
            "IN_FORMAL_EDUCATION",
            "EXCLUDED_OCCUPATION",
            "ALREADY_RECIPIENT",
        ]


PRODUCED = [
    *problems(
        person(
            identity_verified=False,
            profile_complete=False,
            declaration_accepted=False,
            test_taken=False,
            birth_date=dt.date(2010, 1, 1),
            in_formal_education=True,
            occupation="military",
            kk_recipients=2,
        ),
        RULES,
    ),
    *problems(person(revoked=True), RULES),
    *problems(person(prior_recipient=True), RULES),
]


class TestMessages:
    """Every refusal reads as a sentence in Indonesian and in English, with its values filled in."""

    def test_examples_produce_every_code(self) -> None:
        assert sorted({p.code for p in PRODUCED}) == [
            "AGE_OUT_OF_RANGE",
            "ALREADY_RECIPIENT",
            "DECLARATION_NOT_ACCEPTED",
            "EXCLUDED_OCCUPATION",
            "IDENTITY_NOT_VERIFIED",
            "IN_FORMAL_EDUCATION",
            "KK_QUOTA_REACHED",
            "PROFILE_INCOMPLETE",
            "REVOKED",
            "TEST_NOT_TAKEN",
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
