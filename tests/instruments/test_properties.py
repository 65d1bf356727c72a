"""Property-based tests for every instrument (hypothesis).

- valid answers give a total inside ``total_range`` and a known severity code;
- the bands cover the total range without gaps or overlaps, for any parameter values;
- reverse keying is an involution that permutes the legal values;
- a positive critical item is always flagged, also when another item is invalid.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.instruments import (
    Instrument,
    InstrumentInputError,
    Item,
    ScoreResult,
    catalogue,
    get,
    score,
)
from alliance.instruments.scoring import band_for, resolve_params

INSTRUMENTS = catalogue()
WITH_TOTAL = [i for i in INSTRUMENTS if i.total_range is not None]
TRIAGE_CODES = {
    "cssrs_screener": {"none", "low", "moderate", "high"},
    "asq": {"negative", "non_acute_positive", "acute_positive"},
}


def value_of(item: Item) -> st.SearchStrategy[Any]:
    if item.kind == "vas":
        return st.integers(0, 100).map(lambda tenths: tenths / 10)
    return st.sampled_from(item.legal_values)


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument) -> dict[str, Any]:
    """Answers that follow the instrument's rules, with its skips taken at random."""
    answers = {
        item.id: draw(value_of(item))
        for item in instrument.items
        if item.scored or draw(st.booleans())
    }
    code = instrument.code
    if code == "cssrs_screener":
        if answers["2"] == 0:
            for item_id in ("3", "4", "5"):
                del answers[item_id]
        if answers["6"] == 0:
            del answers["6b"]
    elif code == "asq" and not any(answers[q] for q in ("1", "2", "3", "4")):
        del answers["5"]
    elif code in {"audit", "auditc"} and answers["1"] == 0 and draw(st.booleans()):
        for number in range(2, 9 if code == "audit" else 4):
            del answers[str(number)]
    elif code == "core10" and draw(st.booleans()):
        del answers[draw(st.sampled_from(sorted(answers)))]
    return answers


@st.composite
def params_for(draw: st.DrawFn, instrument: Instrument) -> dict[str, Any]:
    """Parameter values across their legal ranges."""
    code = instrument.code
    if code in {"phq2", "gad2"}:
        return {"cutoff": draw(st.integers(1, 6))}
    if code == "pcl5":
        return {"cutoff": draw(st.integers(31, 33))}
    if code == "epds":
        possible = draw(st.integers(1, 29))
        return {"possible_cutoff": possible, "probable_cutoff": draw(st.integers(possible + 1, 30))}
    if code == "ors":
        return {"age_group": draw(st.sampled_from(["adult", "adolescent", "child"]))}
    if code == "srs":
        return {"cutoff": draw(st.integers(1, 400)) / 10}
    if code == "auditc":
        return {"sex": draw(st.sampled_from(["male", "female"]))}
    if code == "phqa":
        return {"mdd_cutoff": draw(st.integers(1, 27))}
    return {}


def grid(instrument: Instrument) -> list[float]:
    assert instrument.total_range is not None
    low, high = instrument.total_range
    steps = round((high - low) / instrument.total_step)
    return [round(low + n * instrument.total_step, 6) for n in range(steps + 1)]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_totals_stay_within_the_range_and_severity_is_a_known_code(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(INSTRUMENTS))
    params = data.draw(params_for(instrument))
    answers = data.draw(valid_answers(instrument))

    result = score(instrument.code, answers, **params)

    if instrument.total_range is None:
        assert result.total is None
        assert result.severity in TRIAGE_CODES[instrument.code]
        return
    low, high = instrument.total_range
    assert result.total is not None
    assert low <= result.total <= high
    codes = {band.code for band in instrument.bands_with(resolve_params(instrument, params))}
    assert result.severity in codes
    keyed = [s for s in result.item_scores.values() if s is not None]
    if len(keyed) == len(instrument.scored_items):
        assert result.total == pytest.approx(sum(keyed))
    else:  # CORE-10 pro-rated, or AUDIT skips shown as imputed zeros
        assert result.total == pytest.approx(round(sum(keyed) / len(keyed) * 10, 2))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_bands_cover_the_range_without_gaps_or_overlaps(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(WITH_TOTAL))
    params = resolve_params(instrument, data.draw(params_for(instrument)))
    bands = instrument.bands_with(params)
    assert instrument.total_range is not None

    assert bands, instrument.code
    assert bands[0].low == instrument.total_range[0]
    assert bands[-1].high == instrument.total_range[1]
    assert all(band.low <= band.high for band in bands)
    for before, after in itertools.pairwise(bands):
        assert after.low == pytest.approx(before.high + instrument.total_step)
    for total in grid(instrument):
        containing = [band.code for band in bands if band.low <= total <= band.high]
        assert len(containing) == 1, (instrument.code, total, containing)
        assert band_for(instrument, params, total) == containing[0]


def test_auditc_without_sex_has_no_bands_and_no_severity() -> None:
    instrument = get("auditc")

    assert instrument.bands_with(resolve_params(instrument, {})) == ()
    assert score("auditc", [4, 4, 4]).severity is None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_reverse_keying_is_an_involution(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(INSTRUMENTS))
    item = data.draw(st.sampled_from(instrument.items))
    value = data.draw(value_of(item))

    assert item.key(item.key(value)) == pytest.approx(value)
    if item.kind != "vas":
        assert sorted(item.key(v) for v in item.legal_values) == sorted(item.legal_values)


def critical_cases(instrument: Instrument) -> list[tuple[str, dict[str, Any]]]:
    """(flag, answers that must raise it); None deletes an answer."""
    cases = []
    for rule in instrument.critical_rules:
        item = instrument.item(rule.item)
        cases += [
            (rule.flag, {rule.item: value})
            for value in item.legal_values
            if item.key(value) >= rule.at_least
        ]
    if instrument.code == "cssrs_screener":
        cases += [
            ("cssrs_q6_behavior_past_3_months", {"6": 1, "6b": 1}),
            ("cssrs_q6_behavior_past_3_months", {"6": 1, "6b": None}),
            ("cssrs_q6_behavior_lifetime_over_3_months", {"6": 1, "6b": 0}),
        ]
    if instrument.code == "asq":
        cases += [("asq_positive_screen", {q: 1}) for q in ("1", "2", "3", "4")]
        cases += [("asq_acute_positive", {"5": 1})]
    return cases


WITH_CRITICAL = [i for i in INSTRUMENTS if critical_cases(i)]


def test_the_critical_instruments_of_the_specification() -> None:
    assert {i.code for i in WITH_CRITICAL} == {
        "phq9", "phqa", "cssrs_screener", "epds", "core10", "asq",
    }  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_a_positive_critical_item_is_always_flagged(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(WITH_CRITICAL))
    flag, overrides = data.draw(st.sampled_from(critical_cases(instrument)))
    answers = data.draw(valid_answers(instrument))
    for item_id, value in overrides.items():
        if value is None:
            answers.pop(item_id, None)
        else:
            answers[item_id] = value
    # Maybe spoil another answer: a wrong type, off the scale, missing, or an unknown item.
    others = [item.id for item in instrument.items if item.id not in overrides]
    if data.draw(st.booleans()):
        target = data.draw(st.sampled_from([*others, "no_such_item"]))
        answers[target] = data.draw(st.sampled_from(["x", 99, -1, 2.5, None, [1]]))

    result: ScoreResult | InstrumentInputError
    try:
        result = score(instrument.code, answers)
    except InstrumentInputError as error:
        result = error

    assert flag in result.critical_flags
    assert flag in result.as_json()["critical_flags"]  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_no_critical_flag_without_a_critical_answer(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from([get("phq9"), get("epds"), get("core10"), get("phqa")]))
    answers = data.draw(valid_answers(instrument))
    for rule in instrument.critical_rules:
        item = instrument.item(rule.item)
        answers[rule.item] = next(v for v in item.legal_values if item.key(v) < rule.at_least)

    assert score(instrument.code, answers).critical_flags == ()
