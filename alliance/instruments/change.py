"""Change over time (INSTRUMENTS.md section 5): reliable change, response, remission, caseness.

``baseline`` and ``followup`` are answers (scored here) or totals. Totals are those ``score``
returns (the raw WHO-5 total, for example); WHO-5 change is then measured in percentage points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from alliance.instruments.errors import (
    INVALID_VALUE_TYPE,
    OUT_OF_RANGE,
    InstrumentInputError,
    InvalidParameter,
    NoTotal,
)
from alliance.instruments.model import ChangeThresholds, Instrument, Number, Param
from alliance.instruments.scoring import resolve_params, score_instrument

RCI_CRITICAL = 1.96
_EPSILON = 1e-9

CHANGE_PARAMS: tuple[Param, ...] = (
    Param(
        "reliable_change_threshold",
        None,
        float,
        "Fixed reliable-change threshold in the instrument's change metric; overrides the "
        "published default (for example 5, Löwe 2004, instead of 6 for the PHQ-9).",
        minimum=0,
        optional=True,
    ),
    Param("sd", None, float, "Jacobson-Truax: SD of the reference sample.", optional=True),
    Param(
        "reliability",
        None,
        float,
        "Jacobson-Truax: reliability r (test-retest or alpha), 0 < r < 1.",
        minimum=0,
        maximum=1,
        optional=True,
    ),
    Param("caseness_cutoff", None, float, "Caseness cut-off override.", optional=True),
    Param("lower_is_better", None, bool, "Direction override.", optional=True),
    Param("response_pct", None, float, "Response threshold in % reduction.", optional=True),
    Param("remission_below", None, float, "Remission when follow-up is below.", optional=True),
)


@dataclass(frozen=True)
class ChangeResult:
    """One instrument's change between two administrations (section 5.3)."""

    instrument: str
    metric: str
    baseline: Number
    followup: Number
    lower_is_better: bool
    change: Number
    percent_reduction: float | None
    reliable_change: str | None
    reliable_change_method: str | None
    reliable_change_threshold: Number | None
    rci: float | None
    response: bool | None
    remission: bool | None
    caseness_cutoff: Number | None
    caseness_before: bool | None
    caseness_after: bool | None
    reliable_recovery: bool | None
    clinically_meaningful_change: bool | None

    def as_json(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "metric": self.metric,
            "baseline": self.baseline,
            "followup": self.followup,
            "lower_is_better": self.lower_is_better,
            "change": self.change,
            "percent_reduction": self.percent_reduction,
            "reliable_change": self.reliable_change,
            "reliable_change_method": self.reliable_change_method,
            "reliable_change_threshold": self.reliable_change_threshold,
            "rci": self.rci,
            "response_50pct": self.response,
            "remission": self.remission,
            "caseness_cutoff": self.caseness_cutoff,
            "baseline_caseness": self.caseness_before,
            "followup_caseness": self.caseness_after,
            "reliable_recovery": self.reliable_recovery,
            "clinically_meaningful_change": self.clinically_meaningful_change,
            "error": None,
        }


def jacobson_truax_rci(
    baseline: Number, followup: Number, sd: Number, reliability: Number
) -> float:
    """RCI = (x2 - x1) / S_diff, S_diff = sqrt(2 * SE**2), SE = SD * sqrt(1 - r)."""
    s_diff = _s_diff(sd, reliability)
    return (followup - baseline) / s_diff


def clinical_significance_cutoff(
    functional_mean: Number, functional_sd: Number, clinical_mean: Number, clinical_sd: Number
) -> float:
    """Jacobson-Truax cut-off c = (SD0 * M1 + SD1 * M0) / (SD0 + SD1)."""
    return (functional_sd * clinical_mean + clinical_sd * functional_mean) / (
        functional_sd + clinical_sd
    )


def _s_diff(sd: Number, reliability: Number) -> float:
    if sd <= 0 or not 0 <= reliability < 1:
        raise InvalidParameter("Jacobson-Truax needs sd > 0 and 0 ≤ reliability < 1")
    standard_error = sd * math.sqrt(1 - reliability)
    return math.sqrt(2 * standard_error**2)


def _total(
    instrument: Instrument, value: object, params: Mapping[str, object], which: str
) -> Number:
    if isinstance(value, bool | str):
        raise InstrumentInputError(
            INVALID_VALUE_TYPE,
            None,
            f"The {which} must be answers or a total, not {value!r}.",
            instrument=instrument.code,
        )
    if isinstance(value, Decimal):  # a total read back from a database
        value = float(value)
    if isinstance(value, int | float):
        assert instrument.total_range is not None
        low, high = instrument.total_range
        if not math.isfinite(value) or not low <= value <= high:
            raise InstrumentInputError(
                OUT_OF_RANGE,
                None,
                f"The {which} total {value!r} is outside {instrument.name}'s range {low}-{high}.",
                instrument=instrument.code,
            )
        return value
    result = score_instrument(instrument, value, params)
    assert result.total is not None
    return result.total


def _clean(value: float) -> Number:
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def change_instrument(
    instrument: Instrument, baseline: object, followup: object, params: Mapping[str, object]
) -> ChangeResult:
    if instrument.total_range is None:
        raise NoTotal(f"{instrument.name} has no total, so change over time does not apply.")
    thresholds = instrument.change or ChangeThresholds()
    own: dict[str, object] = {}
    rest: dict[str, object] = {}
    names = {param.name: param for param in CHANGE_PARAMS}
    for name, value in params.items():
        if name in names:
            try:
                own[name] = names[name].coerce(value)
            except ValueError as error:
                raise InvalidParameter(str(error)) from None
        else:
            rest[name] = value
    scoring = resolve_params(instrument, rest)

    factor = thresholds.metric_factor
    x1 = _clean(_total(instrument, baseline, scoring, "baseline") * factor)
    x2 = _clean(_total(instrument, followup, scoring, "follow-up") * factor)
    lower_is_better = own.get("lower_is_better")
    if not isinstance(lower_is_better, bool):
        lower_is_better = thresholds.lower_is_better
    difference = _clean(x2 - x1)
    improvement = -difference if lower_is_better else difference
    percent_reduction = None if x1 == 0 else round((x1 - x2) / x1 * 100, 2)

    reliable: str | None = None
    method: str | None = None
    threshold: Number | None = None
    rci: float | None = None
    sd, reliability = own.get("sd"), own.get("reliability")
    if sd is not None or reliability is not None:
        if not isinstance(sd, float) or not isinstance(reliability, float):
            raise InvalidParameter("Jacobson-Truax needs both sd and reliability")
        rci = round(jacobson_truax_rci(x1, x2, sd, reliability), 4)
        method, threshold = "jacobson_truax", round(RCI_CRITICAL * _s_diff(sd, reliability), 4)
        if abs(rci) > RCI_CRITICAL:
            reliable = "improvement" if improvement > 0 else "deterioration"
        else:
            reliable = "no_reliable_change"
    else:
        fixed = own.get("reliable_change_threshold", thresholds.reliable_change)
        if isinstance(fixed, int | float):
            method, threshold = "fixed_threshold", _clean(fixed)
            # A change exactly equal to the threshold counts.
            if improvement >= fixed - _EPSILON and improvement > 0:
                reliable = "improvement"
            elif -improvement >= fixed - _EPSILON and improvement < 0:
                reliable = "deterioration"
            else:
                reliable = "no_reliable_change"

    response_pct = own.get("response_pct", thresholds.response_pct)
    response: bool | None = None
    if isinstance(response_pct, int | float) and x1 != 0:
        # Exactly 50 % counts: compare without dividing.
        response = (x1 - x2) * 100 >= response_pct * x1 - _EPSILON
    remission_below = own.get("remission_below", thresholds.remission_below)
    remission = x2 < remission_below if isinstance(remission_below, int | float) else None

    cutoff = own.get("caseness_cutoff")
    if not isinstance(cutoff, int | float):
        cutoff = thresholds.caseness_cutoff
        if thresholds.caseness_from_params is not None:
            cutoff = thresholds.caseness_from_params(scoring)
    before = after = recovery = None
    if isinstance(cutoff, int | float):
        before = x1 >= cutoff if lower_is_better else x1 < cutoff
        after = x2 >= cutoff if lower_is_better else x2 < cutoff
        if reliable is not None:
            recovery = before and not after and reliable == "improvement"
    meaningful = None
    if thresholds.clinically_meaningful is not None:
        meaningful = improvement >= thresholds.clinically_meaningful

    return ChangeResult(
        instrument=instrument.code,
        metric=thresholds.metric,
        baseline=x1,
        followup=x2,
        lower_is_better=lower_is_better,
        change=difference,
        percent_reduction=percent_reduction,
        reliable_change=reliable,
        reliable_change_method=method,
        reliable_change_threshold=threshold,
        rci=rci,
        response=response,
        remission=remission,
        caseness_cutoff=_clean(cutoff) if isinstance(cutoff, int | float) else None,
        caseness_before=before,
        caseness_after=after,
        reliable_recovery=recovery,
        clinically_meaningful_change=meaningful,
    )


@dataclass(frozen=True)
class PairedChangeResult:
    """IAPT-style paired outcome of a depression (PHQ-9) and an anxiety (GAD-7) measure.

    Mixed-direction change (one measure reliably better, the other reliably worse) is
    unverified in the sources, so reliable improvement and deterioration are then None.
    """

    depression: ChangeResult
    anxiety: ChangeResult
    caseness_before: bool
    caseness_after: bool
    recovery: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None

    def as_json(self) -> dict[str, object]:
        return {
            "depression": self.depression.as_json(),
            "anxiety": self.anxiety.as_json(),
            "baseline_caseness": self.caseness_before,
            "followup_caseness": self.caseness_after,
            "recovery": self.recovery,
            "reliable_improvement": self.reliable_improvement,
            "reliable_deterioration": self.reliable_deterioration,
            "reliable_recovery": self.reliable_recovery,
            "error": None,
        }


def paired_change(depression: ChangeResult, anxiety: ChangeResult) -> PairedChangeResult:
    """Case if either measure is at or above its cut-off; recovered if a case at the start and
    below both cut-offs at the end; reliable improvement needs a reliable decrease on one and no
    reliable increase on the other; reliable recovery needs both."""
    for result in (depression, anxiety):
        if result.caseness_before is None or result.reliable_change is None:
            raise InvalidParameter(f"{result.instrument} has no caseness cut-off or threshold")
    before = bool(depression.caseness_before or anxiety.caseness_before)
    after = bool(depression.caseness_after or anxiety.caseness_after)
    recovery = (not after) if before else None
    changes = {depression.reliable_change, anxiety.reliable_change}
    improved, worsened = "improvement" in changes, "deterioration" in changes
    improvement: bool | None = improved
    deterioration: bool | None = worsened
    if improved and worsened:
        improvement = deterioration = None
    reliable_recovery: bool | None
    if recovery is None:
        reliable_recovery = None
    elif not recovery:
        reliable_recovery = False
    else:
        reliable_recovery = improvement
    return PairedChangeResult(
        depression=depression,
        anxiety=anxiety,
        caseness_before=before,
        caseness_after=after,
        recovery=recovery,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        reliable_recovery=reliable_recovery,
    )
