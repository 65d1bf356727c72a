"""Change over time (INSTRUMENTS.md section 5)."""

from __future__ import annotations

import math

import pytest

from alliance.instruments import (
    InstrumentInputError,
    InvalidParameter,
    NoTotal,
    change,
    clinical_significance_cutoff,
    iapt_change,
    jacobson_truax_rci,
)


@pytest.mark.parametrize(
    ("baseline", "followup", "reliable"),
    [
        (20, 14, "improvement"),  # exactly the threshold counts
        (20, 15, "no_reliable_change"),
        (20, 20, "no_reliable_change"),
        (10, 16, "deterioration"),
        (10, 15, "no_reliable_change"),
    ],
)
def test_phq9_reliable_change_is_six_points(baseline: int, followup: int, reliable: str) -> None:
    result = change("phq9", baseline, followup)

    assert result.reliable_change == reliable
    assert result.reliable_change_threshold == 6
    assert result.change == followup - baseline


def test_phq9_reliable_change_threshold_is_a_parameter() -> None:
    """Löwe 2004: an MCID of 5 instead of the IAPT 6."""
    result = change("phq9", 20, 15, reliable_change_threshold=5)

    assert result.reliable_change == "improvement"


@pytest.mark.parametrize(
    ("baseline", "followup", "percent", "response"),
    [(10, 5, 50.0, True), (11, 6, 45.45, False), (12, 6, 50.0, True), (9, 9, 0.0, False)],
)
def test_phq9_response_is_a_reduction_of_at_least_half(
    baseline: int, followup: int, percent: float, response: bool
) -> None:
    result = change("phq9", baseline, followup)

    assert result.percent_reduction == percent
    assert result.response is response


def test_percent_reduction_is_null_from_a_zero_baseline() -> None:
    result = change("phq9", 0, 3)

    assert result.percent_reduction is None
    assert result.response is None
    assert result.as_json()["error"] is None


@pytest.mark.parametrize(("followup", "remission"), [(4, True), (5, False)])
def test_phq9_remission_is_below_five(followup: int, remission: bool) -> None:
    assert change("phq9", 18, followup).remission is remission


@pytest.mark.parametrize(("score", "case"), [(9, False), (10, True)])
def test_phq9_caseness_is_ten_or_more(score: int, case: bool) -> None:
    result = change("phq9", score, score)

    assert result.caseness_before is case
    assert result.caseness_after is case


def test_reliable_recovery_needs_caseness_recovery_and_reliable_improvement() -> None:
    assert change("phq9", 16, 9).reliable_recovery is True
    assert change("phq9", 12, 9).reliable_recovery is False  # not a reliable change
    assert change("phq9", 20, 10).reliable_recovery is False  # still a case
    assert change("phq9", 9, 2).reliable_recovery is False  # not a case at baseline


def test_change_takes_answers_as_well_as_totals() -> None:
    result = change("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0], [1, 1, 1, 1, 1, 0, 0, 0, 0])

    assert (result.baseline, result.followup, result.change) == (24, 5, -19)
    assert result.as_json()["response_50pct"] is True


def test_change_takes_float_and_decimal_totals_read_back_from_a_database() -> None:
    from decimal import Decimal

    assert change("phq9", 20.0, Decimal("14")).reliable_change == "improvement"


def test_gad7_thresholds() -> None:
    result = change("gad7", 12, 8)

    assert result.reliable_change == "improvement"  # IAPT: 4
    assert (result.caseness_before, result.caseness_after) == (True, True)  # IAPT: ≥8
    assert change("gad7", 8, 4).remission is True


def test_who5_improvement_is_an_increase_in_percentage_points() -> None:
    result = change("who5", 10, 13)

    assert result.metric == "percentage_score"
    assert (result.baseline, result.followup, result.change) == (40, 52, 12)
    assert result.reliable_change == "improvement"
    assert (result.caseness_before, result.caseness_after) == (True, False)
    assert result.reliable_recovery is True
    assert change("who5", 13, 11).reliable_change == "no_reliable_change"  # 8 points
    assert change("who5", 20, 17).reliable_change == "deterioration"  # 12 points


def test_ors_improvement_is_an_increase_and_caseness_follows_the_age_group() -> None:
    result = change("ors", 19.5, 24.5)

    assert result.reliable_change == "improvement"
    assert (result.caseness_before, result.caseness_after) == (True, True)
    child = change("ors", 30.0, 33.0, age_group="child")
    assert (child.caseness_cutoff, child.caseness_before, child.caseness_after) == (
        32,
        True,
        False,
    )
    assert change("ors", [6.0, 6.0, 6.0, 6.0], [5.0, 4.5, 5.0, 4.4]).reliable_change == (
        "deterioration"
    )


def test_srs_higher_is_better_without_published_thresholds() -> None:
    result = change("srs", 30.0, 38.0)

    assert result.lower_is_better is False
    assert result.reliable_change is None
    assert result.caseness_before is None


def test_pcl5_clinically_meaningful_change_is_ten_points() -> None:
    assert change("pcl5", 50, 40).clinically_meaningful_change is True
    assert change("pcl5", 50, 41).clinically_meaningful_change is False
    assert change("pcl5", 50, 45).reliable_change == "improvement"
    assert change("pcl5", 34, 20, cutoff=31).caseness_cutoff == 31


def test_core10_reliable_change_and_cutoff() -> None:
    result = change("core10", 17, 11)

    assert result.reliable_change == "improvement"
    assert (result.caseness_before, result.caseness_after) == (True, True)


def test_jacobson_truax_mode() -> None:
    """CORE-10 manual figures: SD 7.7, alpha .90 give an MDC of about 6.75 (INSTRUMENTS.md 8.7)."""
    result = change("core10", 20, 13, sd=7.7, reliability=0.9)

    assert result.reliable_change_method == "jacobson_truax"
    assert result.reliable_change_threshold == pytest.approx(6.75, abs=0.01)
    assert result.rci == pytest.approx(-7 / (math.sqrt(2) * 7.7 * math.sqrt(0.1)), abs=1e-4)
    assert result.reliable_change == "improvement"
    assert change("core10", 20, 14, sd=7.7, reliability=0.9).reliable_change == (
        "no_reliable_change"
    )


def test_jacobson_truax_helpers() -> None:
    assert jacobson_truax_rci(10, 20, 5, 0.8) == pytest.approx(10 / math.sqrt(2 * 25 * 0.2))
    # Functional M 4.7 SD 4.8; clinical M 19.7 SD 7.7 (CORE-10 norms).
    assert clinical_significance_cutoff(4.7, 4.8, 19.7, 7.7) == pytest.approx(
        (4.8 * 19.7 + 7.7 * 4.7) / 12.5
    )


def test_jacobson_truax_needs_both_parameters() -> None:
    with pytest.raises(InvalidParameter):
        change("core10", 20, 13, sd=7.7)


def test_lower_is_better_can_be_overridden() -> None:
    assert change("phq9", 10, 16, lower_is_better=False).reliable_change == "improvement"


def test_a_total_outside_the_range_is_out_of_range() -> None:
    with pytest.raises(InstrumentInputError) as caught:
        change("phq9", 28, 10)
    assert caught.value.code == "out_of_range"


def test_invalid_answers_in_a_change_raise_the_input_error() -> None:
    with pytest.raises(InstrumentInputError) as caught:
        change("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2], [0, 0, 0])
    assert caught.value.code == "wrong_item_count"


@pytest.mark.parametrize("code", ["cssrs_screener", "asq"])
def test_instruments_without_a_total_have_no_change(code: str) -> None:
    with pytest.raises(NoTotal):
        change(code, [0] * 5, [0] * 5)


def test_unknown_parameters_are_rejected() -> None:
    with pytest.raises(InvalidParameter):
        change("phq9", 10, 5, threshold=3)


def test_iapt_paired_recovery() -> None:
    result = iapt_change(15, 5, 12, 4)

    assert (result.caseness_before, result.caseness_after, result.recovery) == (True, False, True)
    assert result.reliable_improvement is True
    assert result.reliable_deterioration is False
    assert result.reliable_recovery is True


def test_iapt_paired_case_if_either_measure_is_a_case() -> None:
    result = iapt_change(8, 4, 9, 8)

    assert result.caseness_before is True
    assert result.caseness_after is True  # GAD-7 still at 8
    assert result.recovery is False
    assert result.reliable_recovery is False


def test_iapt_paired_mixed_direction_is_null() -> None:
    result = iapt_change(20, 10, 5, 12)

    assert result.reliable_improvement is None
    assert result.reliable_deterioration is None
    assert result.as_json()["reliable_improvement"] is None


def test_iapt_paired_not_a_case_at_baseline_has_no_recovery() -> None:
    result = iapt_change(5, 2, 4, 1)

    assert result.recovery is None
    assert result.reliable_recovery is None
