"""WHO-5 Well-Being Index (INSTRUMENTS.md 4.14). Higher is better."""

from __future__ import annotations

from alliance.instruments.catalogue.common import bands, items
from alliance.instruments.model import ChangeThresholds, Instrument, Number, Option
from alliance.instruments.scoring import Answers

WHO5_OPTIONS = (
    Option(0, "At no time"),
    Option(1, "Some of the time"),
    Option(2, "Less than half of the time"),
    Option(3, "More than half of the time"),
    Option(4, "Most of the time"),
    Option(5, "All of the time"),
)
TEXTS = (
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
)


def _extras(answers: Answers, total: Number | None) -> dict[str, object]:
    raw = total if total is not None else 0
    any_low_item = any(score <= 1 for score in answers.scores("1", "2", "3", "4", "5"))
    return {
        "percentage_score": raw * 4,
        "depression_screen_recommended": raw < 13 or any_low_item,
    }


WHO5 = Instrument(
    code="who5",
    name="WHO-5 Well-Being Index",
    items=items(5, "choice", WHO5_OPTIONS, texts=TEXTS),
    total_range=(0, 25),
    # Percentage ≤28 (raw ≤7) likely depression; raw 8-12 poor well-being; raw ≥13 adequate.
    bands=bands(
        ("likely_depression", 0, 7),
        ("poor_wellbeing", 8, 12),
        ("adequate_wellbeing", 13, 25),
    ),
    critical_rules=(),
    loinc_panel=None,
    loinc_total=None,
    text_licensed=True,
    instructions="Over the last two weeks:",
    attribution="WHO-5 Well-Being Index, Psychiatric Centre North Zealand. Topp CW et al. "
    "Psychother Psychosom 2015;84:167-176.",
    licence_note="Public domain; the source must be mentioned (INSPQ). Check the current site "
    "terms.",
    change=ChangeThresholds(
        lower_is_better=False,
        reliable_change=10,
        reliable_change_source="WHO-5 guidance: 10 percentage points",
        caseness_cutoff=52,  # raw < 13, in percentage points
        metric="percentage_score",
        metric_factor=4,
    ),
    extras=_extras,
)
