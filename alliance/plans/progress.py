"""Live progress of objectives bound to an instrument, computed from the measures' score rows.

Nothing is stored: progress is computed each time from ``assessments.Administration`` totals,
so a PHQ-9 given this morning shows on the plan, the chart and the note at once. The series of
an objective is the instrument's scores since its episode of care began; the baseline is the
first of them, the latest the last. ``progress_for`` loads the scores of every objective of a
plan in one query, whatever the number of objectives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property, lru_cache
from typing import Any, Protocol

from django.utils import timezone

from alliance import instruments
from alliance.access import part2
from alliance.assessments.models import Administration
from alliance.plans.models import Direction


class ProgressState:
    MET = "met"
    NOT_YET = "not_yet"
    OVERDUE = "overdue"
    NO_SCORES = "no_scores"
    UNMEASURED = "unmeasured"


STATE_LABELS = {
    ProgressState.MET: "Target met",
    ProgressState.NOT_YET: "Not met yet",
    ProgressState.OVERDUE: "Overdue: target date passed, not met",
    ProgressState.NO_SCORES: "No scores yet",
    ProgressState.UNMEASURED: "Not bound to a measure",
}


class Measured(Protocol):
    """What progress needs of an objective: an ``Objective``, or the chart's summary row of
    one (``plans.tree.ObjectiveSummary``)."""

    @property
    def pk(self) -> Any: ...

    @property
    def target(self) -> str: ...

    @property
    def target_date(self) -> date: ...

    @property
    def instrument(self) -> str: ...

    @property
    def direction(self) -> str: ...

    @property
    def target_value(self) -> float | None: ...


@dataclass(frozen=True)
class Score:
    completed_at: datetime
    total: float

    @cached_property
    def local_day(self) -> str:
        """The clinic's calendar day of the score (worked out once: a plan's objectives share
        their instrument's latest score)."""
        return timezone.localtime(self.completed_at).date().isoformat()


@dataclass(frozen=True)
class ObjectiveProgress:
    """Where one objective stands today."""

    objective_id: int
    instrument: str
    instrument_name: str
    target_text: str
    baseline: Score | None
    latest: Score | None
    count: int
    state: str
    trend: str  # "improving", "worsening", "unchanged" since the previous score, or ""
    reliable_change: str  # of the instrument, baseline → latest ("improvement", …) or ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def measured(self) -> bool:
        return bool(self.instrument)

    @property
    def latest_text(self) -> str:
        """ "PHQ-9 12 (2026-11-01; baseline 19)", or "—" without scores."""
        if self.latest is None or self.baseline is None:
            return "—"
        return (
            f"{self.instrument_name} {self.latest.total:g} ({self.latest.local_day}; "
            f"baseline {self.baseline.total:g})"
        )

    @property
    def status_text(self) -> str:
        """The state, the trend and the reliable change, in one sentence."""
        parts = [self.state_label]
        if self.trend:
            parts.append(f"{self.trend} since the previous score")
        if self.reliable_change:
            parts.append(
                "reliable change since baseline: " + self.reliable_change.replace("_", " ")
            )
        return "; ".join(parts)


def instrument_name(code: str) -> str:
    """The instrument's short name ("PHQ-9"), without the long form in brackets."""
    try:
        return instruments.get(code).name.split(" (")[0]
    except instruments.UnknownInstrument:
        return code


def target_text(objective: Measured) -> str:
    """ "PHQ-9 below 10 by 2027-03-01", or the objective's own target words."""
    if not objective.instrument or objective.target_value is None:
        return f"{objective.target} by {objective.target_date:%Y-%m-%d}"
    return (
        f"{instrument_name(objective.instrument)} {objective.direction} "
        f"{objective.target_value:g} by {objective.target_date:%Y-%m-%d}"
    )


def is_met(direction: str, total: float, target: float) -> bool:
    return total < target if direction == Direction.BELOW else total > target


def trend_of(direction: str, previous: float, latest: float) -> str:
    if latest == previous:
        return "unchanged"
    better = latest < previous if direction == Direction.BELOW else latest > previous
    return "improving" if better else "worsening"


def compute(objective: Measured, series: list[Score], today: date) -> ObjectiveProgress:
    """Progress of ``objective`` from its score ``series`` (oldest first)."""

    def result(
        state: str,
        baseline: Score | None = None,
        latest: Score | None = None,
        trend: str = "",
        reliable: str = "",
    ) -> ObjectiveProgress:
        return ObjectiveProgress(
            objective_id=objective.pk,
            instrument=objective.instrument,
            instrument_name=instrument_name(objective.instrument) if objective.instrument else "",
            target_text=target_text(objective),
            baseline=baseline,
            latest=latest,
            count=len(series),
            state=state,
            trend=trend,
            reliable_change=reliable,
        )

    if not objective.instrument or objective.target_value is None:
        return result(ProgressState.UNMEASURED)
    if not series:
        return result(ProgressState.NO_SCORES)
    baseline, latest = series[0], series[-1]
    if is_met(objective.direction, latest.total, objective.target_value):
        state = ProgressState.MET
    elif today > objective.target_date:
        state = ProgressState.OVERDUE
    else:
        state = ProgressState.NOT_YET
    trend = trend_of(objective.direction, series[-2].total, latest.total) if len(series) > 1 else ""
    reliable = reliable_change(objective.instrument, baseline.total, latest.total)
    return result(state, baseline, latest, trend, reliable if len(series) > 1 else "")


@lru_cache(maxsize=4096)
def reliable_change(code: str, baseline: float, latest: float) -> str:
    """The instrument's reliable-change verdict (pure: the objectives of a plan share most
    of their series, so each pair of totals is worked out once)."""
    try:
        return instruments.change(code, baseline, latest).reliable_change or ""
    except (instruments.UnknownInstrument, instruments.InstrumentInputError):
        return ""


# A client's scores as a caller already holds them: instrument code → (completed at, total),
# oldest first (``assessments.selectors.score_history`` of the chart's Measures section).
ScoreHistory = Mapping[str, Sequence[tuple[datetime, float | None]]]


def progress_for(
    *,
    client_id: int,
    objectives: Iterable[Measured],
    since: date,
    today: date | None = None,
    history: ScoreHistory | None = None,
) -> dict[int, ObjectiveProgress]:
    """Objective id → progress, for objectives of one client: one query for all of them, or
    none when the caller passes the client's whole score ``history``."""
    objectives = list(objectives)
    day = today or timezone.localdate()
    codes = sorted({o.instrument for o in objectives if o.instrument})
    series: dict[str, list[Score]] = {code: [] for code in codes}
    start = timezone.make_aware(datetime.combine(since, time.min))
    if codes and history is not None:
        for code in codes:
            series[code] = [
                Score(at, float(total))
                for at, total in history.get(code, ())
                if total is not None and at >= start
            ]
    elif codes:
        rows = (
            Administration.objects.filter(
                part2.visible_q(client_id),
                client_id=client_id,
                instrument__in=codes,
                total__isnull=False,
                completed_at__gte=start,
            )
            .order_by("instrument", "completed_at", "id")
            .values_list("instrument", "completed_at", "total")
        )
        for code, completed_at, total in rows:
            if total is not None:
                series[code].append(Score(completed_at, float(total)))
    return {o.pk: compute(o, series.get(o.instrument, []), day) for o in objectives}
