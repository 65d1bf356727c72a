"""Objective progress maths: baseline, latest, met / not yet / overdue, trend, reliable change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alliance.plans.models import Objective
from alliance.plans.progress import ProgressState, Score, compute, is_met, target_text, trend_of

TODAY = date(2026, 11, 1)


def objective(**values: object) -> Objective:
    fields: dict[str, object] = {
        "pk": 7,
        "description": "Depressive symptoms",
        "target": "",
        "target_date": TODAY + timedelta(days=30),
        "instrument": "phq9",
        "direction": "below",
        "target_value": 10.0,
        **values,
    }
    return Objective(**fields)


def series(*totals: float) -> list[Score]:
    start = datetime(2026, 9, 1, 12, tzinfo=UTC)
    return [Score(start + timedelta(days=14 * i), float(t)) for i, t in enumerate(totals)]


def test_below_and_above_are_strict() -> None:
    assert is_met("below", 9, 10) and not is_met("below", 10, 10)
    assert is_met("above", 51, 50) and not is_met("above", 50, 50)


def test_trend_follows_the_direction_of_the_target() -> None:
    assert trend_of("below", 15, 12) == "improving"
    assert trend_of("below", 12, 15) == "worsening"
    assert trend_of("above", 40, 52) == "improving"
    assert trend_of("above", 12, 12) == "unchanged"


def test_progress_not_met_yet_with_baseline_latest_and_reliable_improvement() -> None:
    progress = compute(objective(), series(20, 16, 12), TODAY)

    assert progress.state == ProgressState.NOT_YET
    assert (progress.baseline.total, progress.latest.total, progress.count) == (20, 12, 3)  # type: ignore[union-attr]
    assert progress.trend == "improving"
    assert progress.reliable_change == "improvement"  # PHQ-9 RCI threshold is 6 points


def test_progress_met_when_the_latest_score_passes_the_target() -> None:
    progress = compute(objective(), series(20, 9), TODAY)
    assert progress.state == ProgressState.MET


def test_progress_overdue_after_the_target_date_without_meeting_it() -> None:
    progress = compute(objective(target_date=TODAY - timedelta(days=1)), series(20, 18), TODAY)
    assert progress.state == ProgressState.OVERDUE
    assert progress.reliable_change == "no_reliable_change"


def test_no_scores_and_unmeasured_objectives() -> None:
    assert compute(objective(), [], TODAY).state == ProgressState.NO_SCORES
    plain = objective(instrument="", direction="", target_value=None, target="Attends group")
    assert compute(plain, series(3), TODAY).state == ProgressState.UNMEASURED


def test_target_text_names_the_instrument() -> None:
    assert target_text(objective()) == "PHQ-9 below 10 by 2026-12-01"
    plain = objective(instrument="", direction="", target_value=None, target="Attends group")
    assert target_text(plain) == "Attends group by 2026-12-01"
