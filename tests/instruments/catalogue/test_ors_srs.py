"""ORS and SRS (INSTRUMENTS.md 4.13): 10 cm marks to one decimal, cut-offs by age group."""

from __future__ import annotations

import pytest

from tests.instruments.support import rejected, scored


@pytest.mark.parametrize(
    ("marks", "age_group", "band"),
    [
        ([6.1, 6.2, 6.3, 6.4], "adult", "non_clinical_range"),  # exactly 25.0
        ([6.1, 6.2, 6.3, 6.3], "adult", "clinical_range"),  # 24.9
        ([7.0, 7.0, 7.0, 6.9], "adolescent", "clinical_range"),  # 27.9
        ([7.0, 7.0, 7.0, 7.0], "adolescent", "non_clinical_range"),  # 28.0
        ([8.0, 8.0, 8.0, 7.9], "child", "clinical_range"),  # 31.9
        ([8.0, 8.0, 8.0, 8.0], "child", "non_clinical_range"),  # 32.0
        ([0.0, 0.0, 0.0, 0.0], "adult", "clinical_range"),
        ([10, 10, 10, 10], "adult", "non_clinical_range"),
    ],
)
def test_ors_cutoff_by_age_group(marks: list[float], age_group: str, band: str) -> None:
    result = scored("ors", marks, age_group=age_group)

    assert result.total == round(sum(marks), 1)
    assert result.severity == band


def test_ors_reports_its_clinical_cutoff() -> None:
    assert scored("ors", [5, 5, 5, 5]).extras["clinical_cutoff"] == 25
    assert scored("ors", [5, 5, 5, 5], age_group="child").extras["clinical_cutoff"] == 32


@pytest.mark.parametrize(
    ("mark", "code"),
    [
        (10.1, "out_of_range"),
        (-0.1, "out_of_range"),
        (3.25, "invalid_value_type"),
        ("5", "invalid_value_type"),
    ],
)
def test_ors_marks_must_be_on_the_line_to_one_decimal(mark: object, code: str) -> None:
    error = rejected("ors", [5.0, mark, 5.0, 5.0])

    assert (error.code, error.item) == (code, "2")


@pytest.mark.parametrize(
    ("marks", "band"),
    [
        ([9.0, 9.0, 9.0, 8.9], "alliance_concern"),  # 35.9
        ([9.0, 9.0, 9.0, 9.0], "no_alliance_concern"),  # exactly 36
        ([10.0, 10.0, 10.0, 10.0], "no_alliance_concern"),
    ],
)
def test_srs_concern_below_36(marks: list[float], band: str) -> None:
    assert scored("srs", marks).severity == band


def test_srs_cutoff_is_configurable() -> None:
    assert scored("srs", [9.0, 9.0, 9.0, 9.0], cutoff=38).severity == "alliance_concern"
