"""GAD-7 and GAD-2 (INSTRUMENTS.md 4.3, 4.4)."""

from __future__ import annotations

import pytest

from tests.instruments.support import answers_for_total, scored


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_at_every_boundary(total: int, band: str) -> None:
    result = scored("gad7", answers_for_total("gad7", total))

    assert (result.total, result.severity, result.critical_flags) == (total, band, ())


def test_gad7_reports_the_gad2_subtotal() -> None:
    result = scored("gad7", [3, 2, 0, 0, 1, 1, 1])

    assert result.total == 8
    assert result.extras["gad2_subtotal"] == 5


@pytest.mark.parametrize(("answers", "band"), [([1, 1], "negative"), ([2, 1], "positive")])
def test_gad2_positive_at_three(answers: list[int], band: str) -> None:
    assert scored("gad2", answers).severity == band
