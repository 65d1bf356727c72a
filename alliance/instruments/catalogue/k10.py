"""K10, the Kessler Psychological Distress Scale, Australian 1-5 scoring (INSTRUMENTS.md 4.11).

Use is free and needs no permission, but versions differ in their wording (30 days, 4 weeks), so
no item text ships here; a clinic imports the version it uses.
"""

from __future__ import annotations

from alliance.instruments.catalogue.common import bands, items
from alliance.instruments.model import ChangeThresholds, Instrument, Number, Option, Param
from alliance.instruments.scoring import Answers

K10_OPTIONS = (
    Option(1, "None of the time"),
    Option(2, "A little of the time"),
    Option(3, "Some of the time"),
    Option(4, "Most of the time"),
    Option(5, "All of the time"),
)
# Alternative primary-care bands (CRUfAD/GPcare; AIHW METeOR 634146).
CRUFAD_BANDS = bands(
    ("likely_well", 10, 19),
    ("mild", 20, 24),
    ("moderate", 25, 29),
    ("severe", 30, 50),
)
# Australian administration: Q3 is not asked after Q2 = 1, nor Q6 after Q5 = 1.
SKIPS = (("2", "3"), ("5", "6"))


def _check(answers: Answers) -> None:
    if answers.params.get("impute_skips") is True:
        for gate, skipped in SKIPS:
            if answers.answer(gate) == 1 and not answers.present(skipped):
                answers.impute(skipped, 1)
                answers.skipped.append(skipped)
    answers.require(
        *(item.id for item in answers.instrument.items if item.id not in answers.imputed)
    )


def _extras(answers: Answers, total: Number | None) -> dict[str, object]:
    alternative = None
    if total is not None:
        alternative = [band.code for band in CRUFAD_BANDS if total >= band.low][-1]
    return {"severity_alternative_crufad": alternative, "imputed_items": list(answers.skipped)}


K10 = Instrument(
    code="k10",
    name="K10 (Kessler Psychological Distress Scale)",
    items=items(10, "choice", K10_OPTIONS),
    total_range=(10, 50),
    bands=bands(("low", 10, 15), ("moderate", 16, 21), ("high", 22, 29), ("very_high", 30, 50)),
    critical_rules=(),
    loinc_panel=None,
    loinc_total=None,
    loinc_note="No K10 panel in LOINC; do not map to the PhenX K6 items (reverse-scored).",
    text_licensed=True,
    attribution="K10 © World Health Organization 2003. Kessler RC et al. Arch Gen Psychiatry "
    "2003;60:184-189.",
    licence_note="Use of the K6 and K10 is free and does not require permission (Harvard NCS); "
    "show the WHO notice and the Kessler 2003 citation.",
    params=(
        Param(
            "impute_skips",
            False,
            bool,
            "Australian skip convention: Q3 after Q2 = 1 and Q6 after Q5 = 1 count as 1 when "
            "not asked (medium confidence).",
        ),
    ),
    change=ChangeThresholds(lower_is_better=True),
    check=_check,
    extras=_extras,
)
