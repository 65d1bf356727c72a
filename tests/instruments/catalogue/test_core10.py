"""CORE-10 (INSTRUMENTS.md 4.15): items 2-3 reversed, pro-rating, bands, item 6."""

from __future__ import annotations

import pytest

from tests.instruments.support import answers_for_total, rejected, scored


def test_core10_items_2_and_3_are_reverse_keyed() -> None:
    result = scored("core10", [0] * 10)

    assert result.total == 8
    assert result.item_scores["2"] == result.item_scores["3"] == 4
    assert result.severity == "low_level"
    assert result.extras == {
        "items_answered": 10,
        "prorated": False,
        "clinically_significant": False,
    }


@pytest.mark.parametrize(
    ("total", "band", "significant"),
    [
        (0, "healthy", False),
        (5, "healthy", False),
        (6, "low_level", False),
        (10, "low_level", False),
        (11, "mild", True),
        (14, "mild", True),
        (15, "moderate", True),
        (19, "moderate", True),
        (20, "moderate_to_severe", True),
        (24, "moderate_to_severe", True),
        (25, "severe", True),
        (40, "severe", True),
    ],
)
def test_core10_bands_and_clinical_cutoff(total: int, band: str, significant: bool) -> None:
    result = scored("core10", answers_for_total("core10", total, avoid=("6",)))

    assert (result.total, result.severity) == (total, band)
    assert result.extras["clinically_significant"] is significant


def test_core10_one_missing_item_is_pro_rated() -> None:
    # Nine answers with keyed scores adding up to 13: 13 / 9 x 10 = 14.44.
    answers = {"1": 4, "2": 4, "3": 4, "4": 4, "5": 4, "6": 0, "7": 1, "8": 0, "9": 0}

    result = scored("core10", answers)

    assert result.total == 14.44
    assert result.item_scores["10"] is None
    assert result.extras["items_answered"] == 9
    assert result.extras["prorated"] is True
    # A fraction is banded by the lower limit it has reached: 14.44 is mild, not moderate.
    assert result.severity == "mild"


def test_core10_two_missing_items_are_too_many_and_item6_still_flags() -> None:
    answers = {str(n): 1 for n in range(1, 9)}

    error = rejected("core10", answers)

    assert (error.code, error.item) == ("too_many_missing_items", "9")
    assert error.critical_flags == ("core10_item6_risk",)


@pytest.mark.parametrize(("item6", "flagged"), [(0, False), (1, True), (4, True)])
def test_core10_item6_above_zero_is_flagged(item6: int, flagged: bool) -> None:
    answers = [0, 4, 4, 0, 0, item6, 0, 0, 0, 0]

    result = scored("core10", answers)

    assert (result.critical_flags == ("core10_item6_risk",)) is flagged
    assert result.total == item6


def test_a_core_om_sent_as_a_core10_is_the_wrong_count() -> None:
    assert rejected("core10", [0] * 34).code == "wrong_item_count"


def test_core10_option_position_5_does_not_exist() -> None:
    assert rejected("core10", [0, 0, 0, 0, 5, 0, 0, 0, 0, 0]).code == "out_of_range"
