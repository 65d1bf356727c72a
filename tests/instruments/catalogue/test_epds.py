"""EPDS (INSTRUMENTS.md 4.10): positions keyed by the scorer, cut-offs, item 10."""

from __future__ import annotations

import pytest

from alliance.instruments import InvalidParameter, score
from tests.instruments.support import answers_for_total, rejected, scored


def test_epds_items_3_and_5_to_10_are_reverse_keyed() -> None:
    # Every answer is the top option (position 0).
    result = scored("epds", [0] * 10)

    assert result.item_scores == {
        "1": 0, "2": 0, "3": 3, "4": 0, "5": 3, "6": 3, "7": 3, "8": 3, "9": 3, "10": 3,
    }  # fmt: skip
    assert result.total == 21
    assert result.critical_flags == ("epds_item10_self_harm",)


@pytest.mark.parametrize(("position", "flagged"), [(3, False), (2, True), (1, True), (0, True)])
def test_epds_item10_any_score_above_zero_is_flagged(position: int, flagged: bool) -> None:
    # Positions chosen so that every other item scores 0: the total stays low.
    answers = [0, 0, 3, 0, 3, 3, 3, 3, 3, position]

    result = scored("epds", answers)

    assert result.item_scores["10"] == 3 - position
    assert ("epds_item10_self_harm" in result.critical_flags) is flagged


@pytest.mark.parametrize(
    ("total", "band", "params"),
    [
        (9, "below_threshold", {}),
        (10, "possible_depression", {}),
        (12, "possible_depression", {}),
        (13, "probable_depression", {}),
        (30, "probable_depression", {}),
        (14, "possible_depression", {"probable_cutoff": 15}),
        (15, "probable_depression", {"probable_cutoff": 15}),
    ],
)
def test_epds_cutoffs(total: int, band: str, params: dict[str, int]) -> None:
    result = scored("epds", answers_for_total("epds", total, avoid=("10",)), **params)

    assert (result.total, result.severity) == (total, band)


def test_epds_rejects_a_position_that_does_not_exist() -> None:
    error = rejected("epds", [0, 0, 0, 4, 0, 0, 0, 0, 0, 0])

    assert (error.code, error.item) == ("out_of_range", "4")


def test_epds_cutoffs_must_be_in_order() -> None:
    with pytest.raises(InvalidParameter):
        score("epds", [0] * 10, possible_cutoff=14, probable_cutoff=13)
