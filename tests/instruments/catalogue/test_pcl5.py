"""PCL-5 (INSTRUMENTS.md 4.5): cut-off, clusters and the DSM-5 provisional diagnosis."""

from __future__ import annotations

import pytest

from alliance.instruments import InvalidParameter, score
from tests.instruments.support import answers_for_total, scored


@pytest.mark.parametrize(
    ("total", "cutoff", "band"),
    [
        (32, None, "below_cutoff"),
        (33, None, "probable_ptsd"),
        (30, 31, "below_cutoff"),
        (31, 31, "probable_ptsd"),
        (32, 33, "below_cutoff"),
        (0, None, "below_cutoff"),
        (80, None, "probable_ptsd"),
    ],
)
def test_pcl5_cutoff_default_33_configurable(total: int, cutoff: int | None, band: str) -> None:
    params = {} if cutoff is None else {"cutoff": cutoff}

    assert scored("pcl5", answers_for_total("pcl5", total), **params).severity == band


@pytest.mark.parametrize("cutoff", [30, 34])
def test_pcl5_cutoff_stays_within_31_to_33(cutoff: int) -> None:
    with pytest.raises(InvalidParameter):
        score("pcl5", [0] * 20, cutoff=cutoff)


def test_pcl5_clusters_and_provisional_diagnosis() -> None:
    # B: item 1; C: item 6; D: items 8-9; E: items 15-16 rated 2 (endorsed).
    answers = [0] * 20
    for number in (1, 6, 8, 9, 15, 16):
        answers[number - 1] = 2
    answers[2] = 1  # rated 1: counts in the score, not as a symptom

    result = scored("pcl5", answers)

    assert result.total == 13
    assert result.severity == "below_cutoff"
    assert result.extras["cluster_scores"] == {"B": 3, "C": 2, "D": 4, "E": 4}
    assert result.extras["cluster_symptoms_endorsed"] == {"B": 1, "C": 1, "D": 2, "E": 2}
    assert result.extras["dsm5_provisional_diagnosis"] is True


def test_pcl5_diagnosis_needs_two_d_symptoms_whatever_the_total() -> None:
    answers = [4] * 20
    for number in range(8, 15):
        answers[number - 1] = 1
    answers[7] = 2  # one D symptom only

    result = scored("pcl5", answers)

    assert result.severity == "probable_ptsd"
    assert result.extras["dsm5_provisional_diagnosis"] is False
    assert result.critical_flags == ()
