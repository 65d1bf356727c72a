"""C-SSRS screener, the 6-item Columbia screen with triage (INSTRUMENTS.md 4.9).

Electronic use needs a licence (Clario), so Alliance ships the triage over item keys only, and
``requires_licence_switch`` tells the application to keep it off until the clinic has one.
"""

from __future__ import annotations

from alliance.instruments.catalogue.common import YES_NO, text_param
from alliance.instruments.errors import SKIP_LOGIC_VIOLATION, InstrumentInputError
from alliance.instruments.model import CriticalRule, Instrument, Item, Number, Param
from alliance.instruments.scoring import Answers

ITEMS = (
    Item("1", None, "yesno", YES_NO, label="Question 1"),
    Item("2", None, "yesno", YES_NO, label="Question 2"),
    Item("3", None, "yesno", YES_NO, required=False, label="Question 3 (asked if Q2 is yes)"),
    Item("4", None, "yesno", YES_NO, required=False, label="Question 4 (asked if Q2 is yes)"),
    Item("5", None, "yesno", YES_NO, required=False, label="Question 5 (asked if Q2 is yes)"),
    Item("6", None, "yesno", YES_NO, label="Question 6"),
    Item(
        "6b",
        None,
        "yesno",
        YES_NO,
        required=False,
        label="Question 6b: within the past 3 months (asked if Q6 is yes)",
    ),
)

SKIP_POLICY = Param(
    "skip_violation",
    "reject",
    str,
    "reject: answers to questions the skip logic does not ask are rejected (policy, the "
    "default); triage_worst: accept them and triage on the worst answer (the safety-minded "
    "alternative of INSTRUMENTS.md 8.4).",
    choices=("reject", "triage_worst"),
)


def _rejects_skips(answers: Answers) -> bool:
    return text_param(answers.params, "skip_violation") == "reject"


def skip_violation(item_id: str, message: str) -> InstrumentInputError:
    return InstrumentInputError(SKIP_LOGIC_VIOLATION, item_id, message)


def _check(answers: Answers) -> None:
    answers.require("1", "2")
    if answers.yes("2"):
        answers.require("3", "4", "5", why="Q3-5 are asked because Q2 is yes.")
    elif _rejects_skips(answers):
        for item_id in ("3", "4", "5"):
            if answers.present(item_id):
                raise skip_violation(
                    item_id, f"Question {item_id} is asked only if Q2 is yes; Q2 is no."
                )
    answers.require("6")
    if answers.yes("6"):
        answers.require("6b", why="6b is asked because Q6 is yes.")
    elif _rejects_skips(answers) and answers.present("6b"):
        raise skip_violation("6b", "Question 6b is asked only if Q6 is yes; Q6 is no.")


def _q6_recent(answers: Answers) -> bool:
    """Q6 yes within the past 3 months. Unknown recency (6b missing or invalid) counts as recent:
    a behaviour answer raises its alert whatever else is wrong (safety first)."""
    return answers.yes("6") and answers.answer("6b") != 0


def triage(answers: Answers, total: Number | None = None) -> str:
    if answers.yes("4") or answers.yes("5") or _q6_recent(answers):
        return "high"
    if answers.yes("3") or answers.yes("6"):
        return "moderate"
    if answers.yes("1") or answers.yes("2"):
        return "low"
    return "none"


def _flags(answers: Answers) -> tuple[str, ...]:
    if not answers.yes("6"):
        return ()
    if _q6_recent(answers):
        return ("cssrs_q6_behavior_past_3_months",)
    return ("cssrs_q6_behavior_lifetime_over_3_months",)


CSSRS_SCREENER = Instrument(
    code="cssrs_screener",
    name="C-SSRS screener (Columbia Suicide Severity Rating Scale, screen version)",
    items=ITEMS,
    total_range=None,
    bands=(),
    critical_rules=(
        CriticalRule("cssrs_q3_ideation_with_method", "3", 1, "Q3 yes."),
        CriticalRule("cssrs_q4_ideation_with_intent", "4", 1, "Q4 yes."),
        CriticalRule("cssrs_q5_ideation_with_plan_and_intent", "5", 1, "Q5 yes."),
    ),
    loinc_panel=None,
    loinc_total=None,
    loinc_note="No screener panel in LOINC; the full scale is 93245-9.",
    text_licensed=False,
    attribution="C-SSRS © The Research Foundation for Mental Hygiene, Inc. Posner K et al. "
    "Am J Psychiatry 2011;168:1266-1277.",
    licence_note="Clario holds an exclusive license for electronic implementations "
    "(sublicense, certification, per-administration fees). No text and no electronic form "
    "without a license; triage over item keys behind a license switch (INSTRUMENTS.md 7).",
    requires_licence_switch=True,
    params=(SKIP_POLICY,),
    check=_check,
    compute_total=lambda answers: None,
    classify=triage,
    extra_flags=_flags,
)
