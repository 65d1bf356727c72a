"""PHQ-9, PHQ-2 and PHQ-A: worked examples from INSTRUMENTS.md 4.1, 4.2 and 4.12."""

from __future__ import annotations

import pytest

from alliance.instruments import InvalidParameter, score
from tests.instruments.support import answers_for_total, rejected, scored

PHQ9_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


def test_phq9_worked_example() -> None:
    result = scored("phq9", [0, 1, 2, 3, 0, 1, 2, 3, 0])

    assert result.total == 12
    assert result.severity == "moderate"
    assert result.critical_flags == ()
    assert result.item_scores["4"] == 3
    assert result.as_json()["error"] is None


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_bands_at_every_boundary(total: int, band: str) -> None:
    result = scored("phq9", answers_for_total("phq9", total, avoid=("9",)))

    assert (result.total, result.severity) == (total, band)


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phqa_uses_the_phq9_bands(total: int, band: str) -> None:
    assert scored("phqa", answers_for_total("phqa", total, avoid=("9",))).severity == band


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_positive_is_flagged_whatever_the_total(item9: int) -> None:
    result = scored("phq9", [0, 0, 0, 0, 0, 0, 0, 0, item9])

    assert result.severity == "minimal"
    assert result.critical_flags == ("phq9_item9_positive",)


def test_phq9_item9_at_zero_raises_no_flag() -> None:
    assert scored("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).critical_flags == ()


def test_phq9_difficulty_item_is_accepted_and_never_added() -> None:
    with_difficulty = scored("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0, 3])

    assert with_difficulty.total == 8
    assert with_difficulty.extras["unscored_answers"] == {"10": 3}
    assert "10" not in with_difficulty.item_scores
    assert scored("phq9", {str(n): 1 for n in range(1, 9)} | {"9": 0}).total == 8


def test_phq9_difficulty_out_of_range_is_rejected() -> None:
    error = rejected("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0, 4])

    assert (error.code, error.item) == ("out_of_range", "10")


@pytest.mark.parametrize("count", [8, 11])
def test_phq9_takes_nine_or_ten_answers(count: int) -> None:
    error = rejected("phq9", [0] * count)

    assert (error.code, error.item) == ("wrong_item_count", None)


@pytest.mark.parametrize(
    ("answers", "algorithm"),
    [
        # items 1-5 at 2: five symptoms including a core one
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], "major_depressive_syndrome"),
        # item 9 counts at 1: core + 3 symptoms at 2 + item 9
        ([2, 0, 2, 2, 2, 0, 0, 0, 1], "major_depressive_syndrome"),
        ([2, 0, 2, 0, 0, 0, 0, 0, 0], "other_depressive_syndrome"),
        ([0, 2, 2, 2, 2, 0, 0, 0, 0], "other_depressive_syndrome"),
        # five symptoms but none of items 1-2
        ([1, 1, 3, 3, 3, 3, 3, 0, 1], "none"),
        # a core symptom alone
        ([3, 1, 1, 1, 1, 1, 1, 1, 0], "none"),
    ],
)
def test_phq9_diagnostic_algorithm(answers: list[int], algorithm: str) -> None:
    assert scored("phq9", answers).extras["diagnostic_algorithm"] == algorithm


def test_phq9_answers_keyed_by_item_id() -> None:
    answers = {str(n): 2 for n in range(1, 10)}

    assert scored("phq9", answers).total == 18


def test_phq2_positive_at_three_and_configurable() -> None:
    assert scored("phq2", [1, 1]).severity == "negative"
    assert scored("phq2", [2, 1]).severity == "positive"
    assert scored("phq2", [1, 1], cutoff=2).severity == "positive"
    assert scored("phq2", [1, 0], cutoff="2").severity == "negative"


def test_phq2_rejects_a_cutoff_outside_the_scale() -> None:
    with pytest.raises(InvalidParameter):
        score("phq2", [1, 1], cutoff=7)
    with pytest.raises(InvalidParameter):
        score("phq2", [1, 1], sex="male")


def test_phq2_is_not_a_phq9() -> None:
    assert rejected("phq2", [0] * 9).code == "wrong_item_count"


def test_phqa_worked_example_with_supplementary_questions() -> None:
    answers = [1, 2, 1, 1, 1, 1, 1, 1, 0, 1, 2, 0, 0]

    result = scored("phqa", answers)

    assert result.total == 9
    assert result.severity == "mild"
    assert result.extras["mdd_screen_positive"] is False
    assert result.extras["unscored_answers"] == {
        "past_year_depressed_most_days": 1,
        "difficulty": 2,
        "past_month_serious_suicidal_thoughts": 0,
        "lifetime_suicide_attempt": 0,
    }
    assert result.critical_flags == ()


def test_phqa_mdd_screen_is_positive_above_ten() -> None:
    assert scored("phqa", answers_for_total("phqa", 10)).extras["mdd_screen_positive"] is False
    assert scored("phqa", answers_for_total("phqa", 11)).extras["mdd_screen_positive"] is True


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        ({"9": 1}, "phqa_item9_positive"),
        ({"past_month_serious_suicidal_thoughts": 1}, "phqa_past_month_serious_suicidal_thoughts"),
        ({"lifetime_suicide_attempt": 1}, "phqa_lifetime_suicide_attempt"),
    ],
)
def test_phqa_critical_flags(extra: dict[str, int], flag: str) -> None:
    answers = {str(n): 0 for n in range(1, 10)} | extra

    assert scored("phqa", answers).critical_flags == (flag,)


def test_phqa_yes_no_questions_take_only_zero_or_one() -> None:
    answers = {str(n): 0 for n in range(1, 10)} | {"lifetime_suicide_attempt": 2}

    error = rejected("phqa", answers)

    assert (error.code, error.item) == ("out_of_range", "lifetime_suicide_attempt")


def test_phqa_ships_no_item_text() -> None:
    from alliance.instruments import get

    assert all(item.text is None for item in get("phqa").items)
