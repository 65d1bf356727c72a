"""GAD-7 and GAD-2 (INSTRUMENTS.md 4.3, 4.4)."""

from __future__ import annotations

from alliance.instruments.catalogue.common import (
    PFIZER_ATTRIBUTION,
    PHQ_FREQUENCY,
    bands,
    cutoff_bands,
    items,
    number_param,
)
from alliance.instruments.model import Band, ChangeThresholds, Instrument, Number, Param, Params
from alliance.instruments.scoring import Answers

GAD7_TEXTS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
GAD7_LOINC = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
GAD_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by the following problems?"
)
LICENCE = "© Pfizer Inc.; no permission required to reproduce, translate, display or distribute."


def _gad7_extras(answers: Answers, total: Number | None) -> dict[str, object]:
    return {"gad2_subtotal": sum(answers.scores("1", "2"))}


GAD7 = Instrument(
    code="gad7",
    name="GAD-7 (Generalized Anxiety Disorder-7)",
    items=items(7, "choice", PHQ_FREQUENCY, texts=GAD7_TEXTS, loinc=GAD7_LOINC),
    total_range=(0, 21),
    bands=bands(("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)),
    critical_rules=(),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    text_licensed=True,
    attribution=PFIZER_ATTRIBUTION,
    licence_note=LICENCE,
    instructions=GAD_INSTRUCTIONS,
    loinc_note="In LOINC-derived forms item 2 (68509-9) offers LA18938-3 'More days than not' "
    "as its third option; it scores 2.",
    change=ChangeThresholds(
        lower_is_better=True,
        reliable_change=4,
        reliable_change_source="NHS Talking Therapies (IAPT) reliable change, decrease ≥4",
        reliable_change_alternatives={"bischoff_2020_jacobson_truax": 6},
        caseness_cutoff=8,
        response_pct=50,
        remission_below=5,
    ),
    extras=_gad7_extras,
)


def _gad2_bands(params: Params) -> tuple[Band, ...]:
    return cutoff_bands("negative", "positive", number_param(params, "cutoff"), 0, 6)


GAD2 = Instrument(
    code="gad2",
    name="GAD-2 (Generalized Anxiety Disorder-2)",
    items=items(2, "choice", PHQ_FREQUENCY, texts=GAD7_TEXTS[:2], loinc=GAD7_LOINC[:2]),
    total_range=(0, 6),
    bands=cutoff_bands("negative", "positive", 3, 0, 6),
    critical_rules=(),
    loinc_panel=None,
    loinc_total=None,
    text_licensed=True,
    attribution=PFIZER_ATTRIBUTION,
    licence_note=LICENCE,
    instructions=GAD_INSTRUCTIONS,
    loinc_note="No GAD-2 panel or total code exists in LOINC; inside a GAD-7 it is a subtotal.",
    params=(
        Param(
            "cutoff",
            3,
            int,
            "Positive screen at total ≥ cutoff (Kroenke 2007: 3).",
            minimum=1,
            maximum=6,
        ),
    ),
    bands_for=_gad2_bands,
)
