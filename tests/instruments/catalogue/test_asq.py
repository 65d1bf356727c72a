"""ASQ (INSTRUMENTS.md 4.16): negative, non-acute and acute positive screens."""

from __future__ import annotations

import pytest

from tests.instruments.support import rejected, scored

ALL_NO = {"1": 0, "2": 0, "3": 0, "4": 0}


def test_asq_all_no_is_negative_without_q5() -> None:
    result = scored("asq", ALL_NO)

    assert (result.total, result.severity, result.critical_flags) == (None, "negative", ())


@pytest.mark.parametrize("item", ["1", "2", "3", "4"])
def test_asq_any_yes_with_q5_no_is_a_non_acute_positive(item: str) -> None:
    result = scored("asq", ALL_NO | {item: 1, "5": 0})

    assert result.severity == "non_acute_positive"
    assert result.critical_flags == ("asq_positive_screen",)


def test_asq_q5_yes_is_an_acute_positive() -> None:
    result = scored("asq", [0, 0, 1, 0, 1])

    assert result.severity == "acute_positive"
    assert result.critical_flags == ("asq_positive_screen", "asq_acute_positive")


def test_asq_q5_after_all_no_is_a_skip_violation_that_still_flags() -> None:
    error = rejected("asq", ALL_NO | {"5": 1})

    assert (error.code, error.item) == ("skip_logic_violation", "5")
    assert "asq_acute_positive" in error.critical_flags


def test_asq_q5_missing_after_a_yes_is_missing_but_flags_the_positive_screen() -> None:
    error = rejected("asq", ALL_NO | {"2": 1})

    assert (error.code, error.item) == ("missing_item", "5")
    assert error.critical_flags == ("asq_positive_screen",)


def test_asq_triage_worst_accepts_q5_after_all_no() -> None:
    result = scored("asq", ALL_NO | {"5": 1}, skip_violation="triage_worst")

    assert result.severity == "acute_positive"


def test_asq_a_recorded_refusal_is_a_non_acute_positive() -> None:
    result = scored("asq", {}, refused=True)

    assert result.severity == "non_acute_positive"
    assert result.critical_flags == ("asq_positive_screen",)


def test_asq_without_a_refusal_every_screen_question_is_required() -> None:
    error = rejected("asq", {"1": 0, "2": 0, "3": 0})

    assert (error.code, error.item) == ("missing_item", "4")
