"""AUDIT and AUDIT-C (INSTRUMENTS.md 4.6, 4.7)."""

from __future__ import annotations

from alliance.instruments.catalogue.common import bands, cutoff_bands, text_param
from alliance.instruments.model import (
    Band,
    ChangeThresholds,
    Instrument,
    Item,
    Number,
    Option,
    Param,
    Params,
)
from alliance.instruments.scoring import Answers

Q1_OPTIONS = (
    Option(0, "Never"),
    Option(1, "Monthly or less"),
    Option(2, "2 to 4 times a month"),
    Option(3, "2 to 3 times a week"),
    Option(4, "4 or more times a week"),
)
Q2_OPTIONS = (
    Option(0, "1 or 2"),
    Option(1, "3 or 4"),
    Option(2, "5 or 6"),
    Option(3, "7, 8, or 9"),
    Option(4, "10 or more"),
)
FREQUENCY_OPTIONS = (
    Option(0, "Never"),
    Option(1, "Less than monthly"),
    Option(2, "Monthly"),
    Option(3, "Weekly"),
    Option(4, "Daily or almost daily"),
)
# Items 9-10 take 0, 2 or 4 only (WHO manual); 1 and 3 are out of range.
HARM_OPTIONS = (
    Option(0, "No"),
    Option(2, "Yes, but not in the last year"),
    Option(4, "Yes, during the last year"),
)
TEXTS = (
    "How often do you have a drink containing alcohol?",
    "How many drinks containing alcohol do you have on a typical day when you are drinking?",
    "How often do you have six or more drinks on one occasion?",
    "How often during the last year have you found that you were not able to stop drinking "
    "once you had started?",
    "How often during the last year have you failed to do what was normally expected from you "
    "because of drinking?",
    "How often during the last year have you needed a first drink in the morning to get "
    "yourself going after a heavy drinking session?",
    "How often during the last year have you had a feeling of guilt or remorse after drinking?",
    "How often during the last year have you been unable to remember what happened the night "
    "before because you had been drinking?",
    "Have you or someone else been injured as a result of your drinking?",
    "Has a relative or friend or a doctor or another health worker been concerned about your "
    "drinking or suggested you cut down?",
)
LOINC = (
    "68518-0",
    "68519-8",
    "68520-6",
    "97734-8",
    "97735-5",
    "97736-3",
    "97737-1",
    "97738-9",
    "97739-7",
    "97740-5",
)


def _options(number: int) -> tuple[Option, ...]:
    if number == 1:
        return Q1_OPTIONS
    if number == 2:
        return Q2_OPTIONS
    if number >= 9:
        return HARM_OPTIONS
    return FREQUENCY_OPTIONS


AUDIT_ITEMS = tuple(
    Item(
        id=str(number),
        text=TEXTS[number - 1],
        kind="choice",
        options=_options(number),
        loinc=LOINC[number - 1],
        label=f"Item {number}",
    )
    for number in range(1, 11)
)
WHO_ATTRIBUTION = (
    "AUDIT: Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. The Alcohol Use Disorders "
    "Identification Test, 2nd ed. © World Health Organization 2001 (WHO/MSD/MSB/01.6a)."
)


def _skip(answers: Answers, item_ids: range) -> list[str]:
    """Items the skip rule leaves unasked count as 0; answered ones keep their answer."""
    skipped = []
    for number in item_ids:
        item_id = str(number)
        if not answers.present(item_id):
            answers.impute(item_id, 0)
            skipped.append(item_id)
    answers.skipped.extend(skipped)
    return skipped


def _audit_check(answers: Answers) -> None:
    """WHO skip rules: Q2-8 may be omitted after Q1 = 0, Q4-8 after Q2 + Q3 = 0."""
    answers.require("1")
    if answers.answer("1") == 0:
        _skip(answers, range(2, 9))
    else:
        answers.require("2", "3", why="asked because item 1 is above 0.")
        if sum(answers.scores("2", "3")) == 0:
            _skip(answers, range(4, 9))
        else:
            answers.require(*(str(n) for n in range(4, 9)), why="asked because items 2 + 3 > 0.")
    answers.require("9", "10")


def _audit_extras(answers: Answers, total: Number | None) -> dict[str, object]:
    return {
        "audit_c_subtotal": sum(answers.scores("1", "2", "3")),
        "dependence_items_4_6": sum(answers.scores("4", "5", "6")),
        "harm_items_7_10": sum(answers.scores("7", "8", "9", "10")),
        "skipped_items": list(answers.skipped),
    }


AUDIT = Instrument(
    code="audit",
    name="AUDIT (Alcohol Use Disorders Identification Test)",
    items=AUDIT_ITEMS,
    total_range=(0, 40),
    bands=bands(
        ("zone_1_low_risk", 0, 7),
        ("zone_2_hazardous", 8, 15),
        ("zone_3_harmful", 16, 19),
        ("zone_4_possible_dependence", 20, 40),
    ),
    critical_rules=(),
    loinc_panel="72110-0",
    loinc_total="75624-7",
    text_licensed=True,
    attribution=WHO_ATTRIBUTION,
    licence_note="WHO: may be freely reviewed, abstracted, reproduced and translated, but not "
    "for sale or for use in conjunction with commercial purposes. The team must decide on the "
    "commercial-use clause (INSTRUMENTS.md 7).",
    change=ChangeThresholds(lower_is_better=True),
    check=_audit_check,
    extras=_audit_extras,
)


def _auditc_check(answers: Answers) -> None:
    """AUDIT skip rule applied to its first three items: Q2-3 may be omitted after Q1 = 0."""
    answers.require("1")
    if answers.answer("1") == 0:
        _skip(answers, range(2, 4))
    else:
        answers.require("2", "3", why="asked because item 1 is above 0.")


AUDITC_CUTOFFS = {"male": 4, "female": 3}


def _auditc_bands(params: Params) -> tuple[Band, ...]:
    sex = text_param(params, "sex")
    if sex is None:
        return ()
    return cutoff_bands("negative", "positive", AUDITC_CUTOFFS[sex], 0, 12)


def _auditc_extras(answers: Answers, total: Number | None) -> dict[str, object]:
    q2, q3 = answers.scores("2", "3")
    return {
        "points_from_q1_only": bool(total and q2 == 0 and q3 == 0),
        "skipped_items": list(answers.skipped),
    }


AUDITC = Instrument(
    code="auditc",
    name="AUDIT-C (AUDIT alcohol consumption questions)",
    items=AUDIT_ITEMS[:3],
    total_range=(0, 12),
    bands=(),
    critical_rules=(),
    loinc_panel="72109-2",
    loinc_total="75626-2",
    text_licensed=True,
    attribution="AUDIT-C: Bush K et al. Arch Intern Med 1998;158:1789-1795; questions 1-3 of "
    "the WHO AUDIT.",
    licence_note="Available for use in the public domain (SAMHSA tool sheet).",
    params=(
        Param(
            "sex",
            None,
            str,
            "male (positive at ≥4) or female (positive at ≥3); without it severity is null.",
            choices=("male", "female"),
            optional=True,
        ),
    ),
    change=ChangeThresholds(lower_is_better=True),
    bands_for=_auditc_bands,
    check=_auditc_check,
    extras=_auditc_extras,
)
