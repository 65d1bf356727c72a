"""ORS and SRS, the Outcome and Session Rating Scales (INSTRUMENTS.md 4.13). Scoring only.

Each item is a mark on a 10 cm line measured in cm to one decimal; higher is better.
"""

from __future__ import annotations

from alliance.instruments.catalogue.common import number_param, text_param
from alliance.instruments.model import (
    Band,
    ChangeThresholds,
    Instrument,
    Item,
    Number,
    Param,
    Params,
)
from alliance.instruments.scoring import Answers

# Clinical cut-offs by age group: adult (Miller 2003), adolescent 13-17 (Duncan 2006, medium
# confidence), child 6-12 (CORS, Duncan 2006).
ORS_CUTOFFS: dict[str, Number] = {"adult": 25, "adolescent": 28, "child": 32}


def _vas_items() -> tuple[Item, ...]:
    return tuple(
        Item(str(n), None, "vas", vas_range=(0.0, 10.0), label=f"Item {n}") for n in range(1, 5)
    )


def _vas_total(answers: Answers) -> Number:
    return round(sum(answers.scores("1", "2", "3", "4")), 1)


def ors_cutoff(params: Params) -> Number:
    return ORS_CUTOFFS[text_param(params, "age_group") or "adult"]


def _split(below: str, at_or_above: str, cutoff: Number) -> tuple[Band, ...]:
    # Totals carry one decimal; a total exactly at the cut-off is not below it (policy).
    return (Band(below, 0.0, round(cutoff - 0.1, 1)), Band(at_or_above, cutoff, 40.0))


def _ors_bands(params: Params) -> tuple[Band, ...]:
    return _split("clinical_range", "non_clinical_range", ors_cutoff(params))


def _ors_extras(answers: Answers, total: Number | None) -> dict[str, object]:
    return {"clinical_cutoff": ors_cutoff(answers.params)}


MILLER_DUNCAN = "© Scott D. Miller and Barry L. Duncan"
LICENCE = (
    "Free paper license for individual practitioners; group, agency and electronic use only "
    "through licensed vendors. No text and no electronic form without a license "
    "(INSTRUMENTS.md 7)."
)

ORS = Instrument(
    code="ors",
    name="ORS (Outcome Rating Scale)",
    items=_vas_items(),
    total_range=(0.0, 40.0),
    bands=_split("clinical_range", "non_clinical_range", 25),
    critical_rules=(),
    loinc_panel=None,
    loinc_total=None,
    text_licensed=False,
    attribution=f"ORS {MILLER_DUNCAN} (2000). Miller SD et al. J Brief Therapy 2003;2(2):91-100.",
    licence_note=LICENCE,
    requires_licence_switch=True,
    total_step=0.1,
    params=(
        Param(
            "age_group",
            "adult",
            str,
            "Clinical cut-off: adult 25, adolescent 28, child 32 (CORS).",
            choices=tuple(ORS_CUTOFFS),
        ),
    ),
    change=ChangeThresholds(
        lower_is_better=False,
        reliable_change=5,
        reliable_change_source="Miller 2003, commonly cited ORS RCI (unverified)",
        caseness_from_params=ors_cutoff,
    ),
    bands_for=_ors_bands,
    compute_total=_vas_total,
    extras=_ors_extras,
)


def _srs_bands(params: Params) -> tuple[Band, ...]:
    return _split("alliance_concern", "no_alliance_concern", number_param(params, "cutoff"))


SRS = Instrument(
    code="srs",
    name="SRS (Session Rating Scale)",
    items=_vas_items(),
    total_range=(0.0, 40.0),
    bands=_split("alliance_concern", "no_alliance_concern", 36),
    critical_rules=(),
    loinc_panel=None,
    loinc_total=None,
    text_licensed=False,
    attribution=f"SRS {MILLER_DUNCAN} and Lynn D. Johnson (2002). Duncan BL et al. J Brief "
    "Therapy 2003;3(1):3-12.",
    licence_note=LICENCE,
    requires_licence_switch=True,
    total_step=0.1,
    params=(
        Param(
            "cutoff",
            36.0,
            float,
            "A total below the cut-off is a possible alliance problem (Duncan 2003: 36; a "
            "total of exactly 36 is not a concern).",
            minimum=0.1,
            maximum=40.0,
        ),
    ),
    change=ChangeThresholds(lower_is_better=False),
    bands_for=_srs_bands,
    compute_total=_vas_total,
)
