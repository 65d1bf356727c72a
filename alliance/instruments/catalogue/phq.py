"""PHQ-9, PHQ-2 and PHQ-A (INSTRUMENTS.md 4.1, 4.2, 4.12)."""

from __future__ import annotations

from alliance.instruments.catalogue.common import (
    PFIZER_ATTRIBUTION,
    PHQ_FREQUENCY,
    YES_NO,
    bands,
    cutoff_bands,
    items,
    number_param,
    positions,
)
from alliance.instruments.model import (
    Band,
    ChangeThresholds,
    CriticalRule,
    Instrument,
    Item,
    Number,
    Option,
    Param,
    Params,
)
from alliance.instruments.scoring import Answers

PHQ9_TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_LOINC = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
PHQ_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

# The unscored difficulty question. LA6575-0 "Very difficult" comes before LA6574-3.
DIFFICULTY_OPTIONS = (
    Option(0, "Not difficult at all", "LA6572-7"),
    Option(1, "Somewhat difficult", "LA6573-5"),
    Option(2, "Very difficult", "LA6575-0"),
    Option(3, "Extremely difficult", "LA6574-3"),
)
PHQ9_DIFFICULTY = Item(
    id="10",
    text=(
        "If you checked off any problems, how difficult have these problems made it for you to "
        "do your work, take care of things at home, or get along with other people?"
    ),
    kind="choice",
    options=DIFFICULTY_OPTIONS,
    scored=False,
    required=False,
    loinc="69722-7",
    label="Item 10 (difficulty)",
)

DEPRESSION_BANDS = bands(
    ("minimal", 0, 4),
    ("mild", 5, 9),
    ("moderate", 10, 14),
    ("moderately_severe", 15, 19),
    ("severe", 20, 27),
)


def phq9_diagnostic_algorithm(answers: Answers) -> str:
    """PHQ instructions: symptoms are items 1-8 at ≥2 and item 9 at ≥1; one must be item 1 or 2."""
    scores = answers.scores(*(str(n) for n in range(1, 10)))
    symptoms = sum(1 for score in scores[:8] if score >= 2) + (1 if scores[8] >= 1 else 0)
    core = scores[0] >= 2 or scores[1] >= 2
    if core and symptoms >= 5:
        return "major_depressive_syndrome"
    if core and 2 <= symptoms <= 4:
        return "other_depressive_syndrome"
    return "none"


def _phq9_extras(answers: Answers, total: Number | None) -> dict[str, object]:
    return {"diagnostic_algorithm": phq9_diagnostic_algorithm(answers)}


PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9 (Patient Health Questionnaire-9)",
    items=(
        *items(9, "choice", PHQ_FREQUENCY, texts=PHQ9_TEXTS, loinc=PHQ9_LOINC),
        PHQ9_DIFFICULTY,
    ),
    total_range=(0, 27),
    bands=DEPRESSION_BANDS,
    critical_rules=(
        CriticalRule(
            "phq9_item9_positive",
            "9",
            1,
            "Thoughts of being better off dead or of self-harm, any value ≥1.",
        ),
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    text_licensed=True,
    attribution=PFIZER_ATTRIBUTION,
    licence_note="© Pfizer Inc.; no permission required to reproduce, translate, display or "
    "distribute.",
    instructions=PHQ_INSTRUCTIONS,
    list_lengths=(9, 10),
    change=ChangeThresholds(
        lower_is_better=True,
        reliable_change=6,
        reliable_change_source="NHS Talking Therapies (IAPT) reliable change, decrease ≥6",
        reliable_change_alternatives={"lowe_2004_mcid": 5},
        caseness_cutoff=10,
        response_pct=50,
        remission_below=5,
    ),
    extras=_phq9_extras,
)


def _phq2_bands(params: Params) -> tuple[Band, ...]:
    return cutoff_bands("negative", "positive", number_param(params, "cutoff"), 0, 6)


PHQ2 = Instrument(
    code="phq2",
    name="PHQ-2 (Patient Health Questionnaire-2)",
    items=items(2, "choice", PHQ_FREQUENCY, texts=PHQ9_TEXTS[:2], loinc=PHQ9_LOINC[:2]),
    total_range=(0, 6),
    bands=cutoff_bands("negative", "positive", 3, 0, 6),
    critical_rules=(),
    loinc_panel="55757-9",
    loinc_total="55758-7",
    text_licensed=True,
    attribution=PFIZER_ATTRIBUTION,
    licence_note="© Pfizer Inc.; no permission required to reproduce, translate, display or "
    "distribute.",
    instructions=PHQ_INSTRUCTIONS,
    params=(
        Param(
            "cutoff",
            3,
            int,
            "Positive screen at total ≥ cutoff (Kroenke 2003: 3; Arroll 2010: 2 is more "
            "sensitive, less specific).",
            minimum=1,
            maximum=6,
        ),
    ),
    bands_for=_phq2_bands,
)


# PHQ-A: the item order differs from the PHQ-9 (item 1 = down, depressed, irritable or
# hopeless; item 2 = little interest or pleasure). The licence is unclear, so no wording ships.
PHQA_SUPPLEMENTARY = (
    Item(
        "past_year_depressed_most_days",
        None,
        "yesno",
        YES_NO,
        scored=False,
        required=False,
        label="Past year: depressed or sad most days (dysthymia screen)",
    ),
    Item(
        "difficulty",
        None,
        "choice",
        positions(4),
        scored=False,
        required=False,
        label="Difficulty (0-3)",
    ),
    Item(
        "past_month_serious_suicidal_thoughts",
        None,
        "yesno",
        YES_NO,
        scored=False,
        required=False,
        label="Past month: serious thoughts of ending your life",
    ),
    Item(
        "lifetime_suicide_attempt",
        None,
        "yesno",
        YES_NO,
        scored=False,
        required=False,
        label="Ever tried to kill yourself or made a suicide attempt",
    ),
)


def _phqa_extras(answers: Answers, total: Number | None) -> dict[str, object]:
    cutoff = number_param(answers.params, "mdd_cutoff")
    return {"mdd_screen_positive": total is not None and total >= cutoff}


PHQA = Instrument(
    code="phqa",
    name="PHQ-A (PHQ-9 modified for adolescents)",
    items=(*items(9, "choice", positions(4)), *PHQA_SUPPLEMENTARY),
    total_range=(0, 27),
    bands=DEPRESSION_BANDS,
    critical_rules=(
        CriticalRule("phqa_item9_positive", "9", 1, "Item 9 at 1, 2 or 3 (GLAD-PC)."),
        CriticalRule(
            "phqa_past_month_serious_suicidal_thoughts",
            "past_month_serious_suicidal_thoughts",
            1,
            "Yes to the past-month serious suicidal thoughts question.",
        ),
        CriticalRule(
            "phqa_lifetime_suicide_attempt",
            "lifetime_suicide_attempt",
            1,
            "Yes to the lifetime suicide attempt question.",
        ),
    ),
    loinc_panel="89206-7",
    loinc_total="89204-2",
    text_licensed=False,
    attribution="Johnson JG, Harris ES, Spitzer RL, Williams JBW. J Adolesc Health "
    "2002;30:196-204.",
    licence_note="License unclear (GLAD-PC copy marked 'Use with Permission'): item text is not "
    "shipped until the team has verified it (INSTRUMENTS.md 7).",
    list_lengths=(9, 13),
    params=(
        Param(
            "mdd_cutoff",
            11,
            int,
            "MDD screen positive at total ≥ this (GLAD-PC '>10').",
            minimum=1,
            maximum=27,
        ),
    ),
    extras=_phqa_extras,
)
