"""ASQ, the NIMH Ask Suicide-Screening Questions (INSTRUMENTS.md 4.16)."""

from __future__ import annotations

from alliance.instruments.catalogue.common import YES_NO, text_param
from alliance.instruments.catalogue.cssrs import SKIP_POLICY, skip_violation
from alliance.instruments.model import Instrument, Item, Number, Param
from alliance.instruments.scoring import Answers

TEXTS = (
    "In the past few weeks, have you wished you were dead?",
    "In the past few weeks, have you felt that you or your family would be better off if you "
    "were dead?",
    "In the past week, have you been having thoughts about killing yourself?",
    "Have you ever tried to kill yourself?",
    "Are you having thoughts of killing yourself right now?",
)
ITEMS = tuple(
    Item(
        str(number),
        TEXTS[number - 1],
        "yesno",
        YES_NO,
        required=number < 5,
        label=f"Question {number}"
        + (" (acuity, asked if any of Q1-4 is yes)" if number == 5 else ""),
    )
    for number in range(1, 6)
)
SCREEN = ("1", "2", "3", "4")


def _refused(answers: Answers) -> bool:
    return answers.params.get("refused") is True


def _any_yes(answers: Answers) -> bool:
    return any(answers.yes(item_id) for item_id in SCREEN)


def _check(answers: Answers) -> None:
    if _refused(answers):
        return  # a refusal is recorded: unanswered questions are the refusal, not an error
    answers.require(*SCREEN)
    if _any_yes(answers):
        answers.require("5", why="the acuity question is asked after any yes to Q1-4.")
    elif answers.present("5") and text_param(answers.params, "skip_violation") == "reject":
        raise skip_violation("5", "Question 5 is asked only after a yes to Q1-4; all are no.")


def classify(answers: Answers, total: Number | None = None) -> str:
    if answers.yes("5"):
        return "acute_positive"
    if _any_yes(answers) or _refused(answers):
        return "non_acute_positive"
    return "negative"


def _flags(answers: Answers) -> tuple[str, ...]:
    flags = []
    # Q5 yes is a positive screen whatever else was answered (safety first).
    if _any_yes(answers) or _refused(answers) or answers.yes("5"):
        flags.append("asq_positive_screen")
    if answers.yes("5"):
        flags.append("asq_acute_positive")
    return tuple(flags)


ASQ = Instrument(
    code="asq",
    name="ASQ (Ask Suicide-Screening Questions, NIMH)",
    items=ITEMS,
    total_range=None,
    bands=(),
    critical_rules=(),
    loinc_panel=None,
    loinc_total=None,
    loinc_note="LOINC not checked.",
    text_licensed=True,
    attribution="Ask Suicide-Screening Questions (ASQ), National Institute of Mental Health "
    "(Horowitz LM et al.).",
    licence_note="A free NIMH resource; NIMH publications are generally public domain, but the "
    "toolkit's own terms must be confirmed before release (INSTRUMENTS.md 7, 8.10).",
    params=(
        SKIP_POLICY,
        Param(
            "refused",
            False,
            bool,
            "The patient refused to answer: a non-acute positive screen (NIMH pathway). How a "
            "refusal is recorded is an open design choice (INSTRUMENTS.md 8.12).",
        ),
    ),
    check=_check,
    compute_total=lambda answers: None,
    classify=classify,
    extra_flags=_flags,
)
