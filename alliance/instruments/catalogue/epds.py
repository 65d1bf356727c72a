"""EPDS, the Edinburgh Postnatal Depression Scale (INSTRUMENTS.md 4.10). Scoring only."""

from __future__ import annotations

from alliance.instruments.catalogue.common import items, number_param, positions
from alliance.instruments.errors import InvalidParameter
from alliance.instruments.model import (
    Band,
    ChangeThresholds,
    CriticalRule,
    Instrument,
    Param,
    Params,
)

# Answers are option positions (0 = top option); items 3 and 5-10 score 3 - position.
REVERSED = (3, 5, 6, 7, 8, 9, 10)


def _bands(params: Params) -> tuple[Band, ...]:
    possible = number_param(params, "possible_cutoff")
    probable = number_param(params, "probable_cutoff")
    if possible >= probable:
        raise InvalidParameter("possible_cutoff must be below probable_cutoff")
    return (
        Band("below_threshold", 0, possible - 1),
        Band("possible_depression", possible, probable - 1),
        Band("probable_depression", probable, 30),
    )


EPDS = Instrument(
    code="epds",
    name="EPDS (Edinburgh Postnatal Depression Scale)",
    items=items(10, "choice", positions(4), reverse=REVERSED),
    total_range=(0, 30),
    bands=(
        Band("below_threshold", 0, 9),
        Band("possible_depression", 10, 12),
        Band("probable_depression", 13, 30),
    ),
    critical_rules=(
        CriticalRule(
            "epds_item10_self_harm",
            "10",
            1,
            "Item 10 (thought of harming oneself) scores above 0: assess at once.",
        ),
    ),
    loinc_panel="71354-5",
    loinc_total=None,
    loinc_note="Panel 71354-5 found on a LOINC mirror only; the total code 99046-5 appears only "
    "in third-party code and is not used.",
    text_licensed=False,
    attribution="EPDS © 1987 The Royal College of Psychiatrists. Cox JL, Holden JM, Sagovsky R. "
    "Br J Psychiatry 1987;150:782-786.",
    licence_note="Written permission of the Royal College of Psychiatrists is needed for "
    "republication in any medium; Alliance ships the scoring only (INSTRUMENTS.md 7).",
    params=(
        Param(
            "possible_cutoff",
            10,
            int,
            "Possible depression at total ≥ this (Cox 1987: 10).",
            minimum=1,
            maximum=30,
        ),
        Param(
            "probable_cutoff",
            13,
            int,
            "Probable depression at total ≥ this (Cox 1987: 13; some services use 15 antenatally).",
            minimum=1,
            maximum=30,
        ),
    ),
    change=ChangeThresholds(lower_is_better=True),
    bands_for=_bands,
)
