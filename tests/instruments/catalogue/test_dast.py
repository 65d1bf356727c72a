"""DAST-10 (INSTRUMENTS.md 4.8): item 3 scores 1 for "no"."""

from __future__ import annotations

import pytest

from alliance.instruments import get
from tests.instruments.support import answers_for_total, rejected, scored


def test_dast10_item3_is_reverse_keyed() -> None:
    all_no = scored("dast10", [0] * 10)
    all_yes = scored("dast10", [1] * 10)

    assert (all_no.total, all_no.severity) == (1, "low")
    assert all_no.item_scores["3"] == 1
    assert (all_yes.total, all_yes.severity) == (9, "severe")
    assert all_yes.item_scores["3"] == 0


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (1, "low"),
        (2, "low"),
        (3, "moderate"),
        (5, "moderate"),
        (6, "substantial"),
        (8, "substantial"),
        (9, "severe"),
        (10, "severe"),
    ],
)
def test_dast10_bands_at_every_boundary(total: int, band: str) -> None:
    assert scored("dast10", answers_for_total("dast10", total)).severity == band


def test_dast10_yes_no_items_take_only_zero_or_one() -> None:
    error = rejected("dast10", [0, 0, 0, 2, 0, 0, 0, 0, 0, 0])

    assert (error.code, error.item) == ("out_of_range", "4")


def test_dast10_ships_no_item_text() -> None:
    assert not get("dast10").text_shipped
