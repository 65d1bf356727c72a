"""CORE-10 (INSTRUMENTS.md 4.15).

CC BY-ND 4.0: the wording may ship verbatim only. It is not reproduced here from memory; the
clinic imports the CORE System Trust's form (kept as a separately licensed data file).
"""

from __future__ import annotations

from alliance.instruments.catalogue.common import bands, items
from alliance.instruments.errors import TOO_MANY_MISSING_ITEMS, InstrumentInputError
from alliance.instruments.model import ChangeThresholds, CriticalRule, Instrument, Number, Option
from alliance.instruments.scoring import Answers

CORE10_OPTIONS = (
    Option(0, "Not at all"),
    Option(1, "Only occasionally"),
    Option(2, "Sometimes"),
    Option(3, "Often"),
    Option(4, "Most or all of the time"),
)
CLINICAL_CUTOFF = 11


def _missing(answers: Answers) -> list[str]:
    return [item.id for item in answers.instrument.items if not answers.present(item.id)]


def _check(answers: Answers) -> None:
    missing = _missing(answers)
    if len(missing) >= 2:
        raise InstrumentInputError(
            TOO_MANY_MISSING_ITEMS,
            missing[0],
            f"CORE-10 can be pro-rated with one item missing; items {', '.join(missing)} "
            "have no answer.",
        )


def _total(answers: Answers) -> Number:
    """Sum 0-40; with one item missing, the mean of the other nine times 10 (CORE System Trust)."""
    scores = [
        score for item in answers.instrument.items if (score := answers.score(item.id)) is not None
    ]
    if len(scores) == len(answers.instrument.items):
        return sum(scores)
    return round(sum(scores) / len(scores) * 10, 2)


def _extras(answers: Answers, total: Number | None) -> dict[str, object]:
    answered = len(answers.instrument.items) - len(_missing(answers))
    return {
        "items_answered": answered,
        "prorated": answered < len(answers.instrument.items),
        "clinically_significant": total is not None and total >= CLINICAL_CUTOFF,
    }


CORE10 = Instrument(
    code="core10",
    name="CORE-10 (Clinical Outcomes in Routine Evaluation, 10 items)",
    # Items 2 and 3 are positively worded: score = 4 - answer.
    items=items(10, "choice", CORE10_OPTIONS, reverse=(2, 3)),
    total_range=(0, 40),
    # A pro-rated fraction is banded by the lower limit it has reached (INSTRUMENTS.md 8.13).
    bands=bands(
        ("healthy", 0, 5),
        ("low_level", 6, 10),
        ("mild", 11, 14),
        ("moderate", 15, 19),
        ("moderate_to_severe", 20, 24),
        ("severe", 25, 40),
    ),
    critical_rules=(
        CriticalRule("core10_item6_risk", "6", 1, "Item 6 (risk) above 0, whatever the total."),
    ),
    loinc_panel=None,
    loinc_total=None,
    text_licensed=True,
    attribution="CORE-10 © CORE System Trust, CC BY-ND 4.0. Barkham M et al. Counselling and "
    "Psychotherapy Research 2013;13(1):3-13.",
    licence_note="CC BY-ND 4.0: reproduce verbatim only, with attribution; keep the text as a "
    "separately licensed data file.",
    change=ChangeThresholds(
        lower_is_better=True,
        reliable_change=6,
        reliable_change_source="Barkham 2013 (secondary citations)",
        caseness_cutoff=CLINICAL_CUTOFF,
    ),
    check=_check,
    compute_total=_total,
    extras=_extras,
)
