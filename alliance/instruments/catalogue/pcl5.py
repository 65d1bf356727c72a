"""PCL-5, the PTSD Checklist for DSM-5 (INSTRUMENTS.md 4.5). A US Government work."""

from __future__ import annotations

from alliance.instruments.catalogue.common import cutoff_bands, items, number_param
from alliance.instruments.model import (
    Band,
    ChangeThresholds,
    Instrument,
    Number,
    Option,
    Param,
    Params,
)
from alliance.instruments.scoring import Answers

PCL5_OPTIONS = (
    Option(0, "Not at all"),
    Option(1, "A little bit"),
    Option(2, "Moderately"),
    Option(3, "Quite a bit"),
    Option(4, "Extremely"),
)
PCL5_TEXTS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
    "be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or have "
    "loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)

# DSM-5 clusters: item numbers and the number of endorsed symptoms (item ≥2) each needs.
CLUSTERS: dict[str, tuple[range, int]] = {
    "B": (range(1, 6), 1),
    "C": (range(6, 8), 1),
    "D": (range(8, 15), 2),
    "E": (range(15, 21), 2),
}


def _bands(params: Params) -> tuple[Band, ...]:
    return cutoff_bands("below_cutoff", "probable_ptsd", number_param(params, "cutoff"), 0, 80)


def _extras(answers: Answers, total: Number | None) -> dict[str, object]:
    cluster_scores: dict[str, Number] = {}
    endorsed: dict[str, int] = {}
    for name, (numbers, _) in CLUSTERS.items():
        scores = answers.scores(*(str(n) for n in numbers))
        cluster_scores[name] = sum(scores)
        endorsed[name] = sum(1 for score in scores if score >= 2)
    diagnosis = all(endorsed[name] >= needed for name, (_, needed) in CLUSTERS.items())
    return {
        "cluster_scores": cluster_scores,
        "cluster_symptoms_endorsed": endorsed,
        "dsm5_provisional_diagnosis": diagnosis,
    }


PCL5 = Instrument(
    code="pcl5",
    name="PCL-5 (PTSD Checklist for DSM-5)",
    items=items(20, "choice", PCL5_OPTIONS, texts=PCL5_TEXTS),
    total_range=(0, 80),
    bands=cutoff_bands("below_cutoff", "probable_ptsd", 33, 0, 80),
    critical_rules=(),
    loinc_panel="101697-1",
    loinc_total="101698-9",
    loinc_note="Panel and total codes found only on LOINC mirror sites; confirm on loinc.org.",
    text_licensed=True,
    attribution="PCL-5: Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. "
    "National Center for PTSD, 2013.",
    licence_note="Work of the US Government (National Center for PTSD); not copyrighted.",
    instructions="In the past month, how much were you bothered by:",
    params=(
        Param(
            "cutoff",
            33,
            int,
            "Probable PTSD at total ≥ cutoff; NCPTSD: '31-33 appears reasonable'.",
            minimum=31,
            maximum=33,
        ),
    ),
    change=ChangeThresholds(
        lower_is_better=True,
        reliable_change=5,
        reliable_change_source="NCPTSD: 5 points is the minimum to count as response",
        caseness_from_params=lambda params: number_param(params, "cutoff"),
        clinically_meaningful=10,
    ),
    bands_for=_bands,
    extras=_extras,
)
