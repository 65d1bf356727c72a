"""C-SSRS screener (INSTRUMENTS.md 4.9): triage, critical flags, skip logic."""

from __future__ import annotations

import pytest

from alliance.instruments import get
from tests.instruments.support import rejected, scored

NO = {"1": 0, "2": 0, "6": 0}


def screen(**answers: int) -> dict[str, int]:
    """Answers keyed '1'..'6', '6b' (keyword q6b for 6b)."""
    return {key.removeprefix("q"): value for key, value in answers.items()}


@pytest.mark.parametrize(
    ("answers", "triage", "flags"),
    [
        (NO, "none", ()),
        ({"1": 1, "2": 0, "6": 0}, "low", ()),
        ({"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0}, "low", ()),
        (
            {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0, "6": 0},
            "moderate",
            ("cssrs_q3_ideation_with_method",),
        ),
        (
            {"1": 1, "2": 1, "3": 1, "4": 1, "5": 0, "6": 0},
            "high",
            ("cssrs_q3_ideation_with_method", "cssrs_q4_ideation_with_intent"),
        ),
        (
            {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1, "6": 0},
            "high",
            ("cssrs_q5_ideation_with_plan_and_intent",),
        ),
        (
            {"1": 0, "2": 0, "6": 1, "6b": 1},
            "high",
            ("cssrs_q6_behavior_past_3_months",),
        ),
        (
            {"1": 0, "2": 0, "6": 1, "6b": 0},
            "moderate",
            ("cssrs_q6_behavior_lifetime_over_3_months",),
        ),
    ],
)
def test_cssrs_triage_and_flags(
    answers: dict[str, int], triage: str, flags: tuple[str, ...]
) -> None:
    result = scored("cssrs_screener", answers)

    assert result.total is None
    assert result.severity == triage
    assert result.critical_flags == flags


def test_cssrs_answers_as_a_list_with_skipped_questions_null() -> None:
    result = scored("cssrs_screener", [1, 1, 0, 1, 0, 1, 0])

    assert result.severity == "high"
    assert scored("cssrs_screener", [1, 0, None, None, None, 0, None]).severity == "low"


def test_cssrs_q3_to_q5_after_q2_no_is_a_skip_violation_that_still_flags() -> None:
    error = rejected("cssrs_screener", {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0, "6": 0})

    assert (error.code, error.item) == ("skip_logic_violation", "3")
    assert error.critical_flags == ("cssrs_q4_ideation_with_intent",)
    assert error.as_json()["critical_flags"] == ["cssrs_q4_ideation_with_intent"]


def test_cssrs_6b_after_q6_no_is_a_skip_violation() -> None:
    error = rejected("cssrs_screener", {"1": 0, "2": 0, "6": 0, "6b": 1})

    assert (error.code, error.item) == ("skip_logic_violation", "6b")


def test_cssrs_triage_worst_accepts_skip_violations() -> None:
    answers = {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0, "6": 0}

    result = scored("cssrs_screener", answers, skip_violation="triage_worst")

    assert result.severity == "high"
    assert result.critical_flags == ("cssrs_q4_ideation_with_intent",)


def test_cssrs_q3_to_q5_are_required_after_q2_yes() -> None:
    error = rejected("cssrs_screener", {"1": 1, "2": 1, "3": 1, "5": 0, "6": 0})

    assert (error.code, error.item) == ("missing_item", "4")
    assert error.critical_flags == ("cssrs_q3_ideation_with_method",)


def test_cssrs_6b_missing_after_q6_yes_flags_recent_behaviour() -> None:
    """Unknown recency is treated as the worse case: the alert is raised with the error."""
    error = rejected("cssrs_screener", {"1": 0, "2": 0, "6": 1})

    assert (error.code, error.item) == ("missing_item", "6b")
    assert error.critical_flags == ("cssrs_q6_behavior_past_3_months",)


def test_cssrs_needs_a_licence_switch_and_ships_no_text() -> None:
    instrument = get("cssrs_screener")

    assert instrument.requires_licence_switch
    assert not instrument.text_shipped
