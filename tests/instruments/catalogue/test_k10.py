"""K10 (INSTRUMENTS.md 4.11): 1-5 scoring, ABS and CRUfAD bands, skip imputation."""

from __future__ import annotations

import pytest

from tests.instruments.support import answers_for_total, rejected, scored


@pytest.mark.parametrize(
    ("total", "band", "alternative"),
    [
        (10, "low", "likely_well"),
        (15, "low", "likely_well"),
        (16, "moderate", "likely_well"),
        (19, "moderate", "likely_well"),
        (20, "moderate", "mild"),
        (21, "moderate", "mild"),
        (22, "high", "mild"),
        (24, "high", "mild"),
        (25, "high", "moderate"),
        (29, "high", "moderate"),
        (30, "very_high", "severe"),
        (50, "very_high", "severe"),
    ],
)
def test_k10_bands_and_alternative_bands(total: int, band: str, alternative: str) -> None:
    result = scored("k10", answers_for_total("k10", total))

    assert (result.total, result.severity) == (total, band)
    assert result.extras["severity_alternative_crufad"] == alternative


def test_k10_zero_is_out_of_range() -> None:
    error = rejected("k10", [1, 1, 1, 0, 1, 1, 1, 1, 1, 1])

    assert (error.code, error.item) == ("out_of_range", "4")


def test_a_k6_sent_as_a_k10_is_the_wrong_count() -> None:
    assert rejected("k10", [1] * 6).code == "wrong_item_count"


def test_k10_skips_are_imputed_only_when_switched_on() -> None:
    answers = {str(n): 2 for n in range(1, 11)} | {"2": 1, "5": 1}
    del answers["3"], answers["6"]

    result = scored("k10", answers, impute_skips=True)

    assert result.total == 2 * 6 + 1 * 4
    assert result.extras["imputed_items"] == ["3", "6"]
    assert rejected("k10", answers).code == "missing_item"


def test_k10_imputation_needs_the_gate_question_at_none_of_the_time() -> None:
    answers = {str(n): 2 for n in range(1, 11)}
    del answers["3"]

    error = rejected("k10", answers, impute_skips=True)

    assert (error.code, error.item) == ("missing_item", "3")
