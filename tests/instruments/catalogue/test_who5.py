"""WHO-5 (INSTRUMENTS.md 4.14): raw bands, percentage score, depression screen."""

from __future__ import annotations

import pytest

from tests.instruments.support import answers_for_total, scored


@pytest.mark.parametrize(
    ("raw", "band", "percentage"),
    [
        (0, "likely_depression", 0),
        (7, "likely_depression", 28),
        (8, "poor_wellbeing", 32),
        (12, "poor_wellbeing", 48),
        (13, "adequate_wellbeing", 52),
        (25, "adequate_wellbeing", 100),
    ],
)
def test_who5_bands_and_percentage(raw: int, band: str, percentage: int) -> None:
    result = scored("who5", answers_for_total("who5", raw))

    assert (result.total, result.severity) == (raw, band)
    assert result.extras["percentage_score"] == percentage


@pytest.mark.parametrize(
    ("answers", "recommended"),
    [
        ([3, 3, 3, 2, 2], False),  # raw 13, no item below 2
        ([3, 3, 3, 2, 1], True),  # raw 12
        ([5, 5, 5, 5, 1], True),  # raw 21 but one item at 1
        ([5, 5, 5, 5, 0], True),
        ([5, 5, 5, 5, 2], False),
    ],
)
def test_who5_depression_screen_recommended(answers: list[int], recommended: bool) -> None:
    assert scored("who5", answers).extras["depression_screen_recommended"] is recommended
