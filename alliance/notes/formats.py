"""The note templates: which named sections each holds (the keys of ``Note.content``).

A section is free text, or a choice from a short list (the structured mental status
examination). Drafts may leave anything empty; signing needs the ``required`` sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alliance.notes.models import NoteTemplate

MSE = "Mental status examination"
GRADES = ("Good", "Fair", "Poor")


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    help: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    group: str = ""
    rows: int = 4


@dataclass(frozen=True)
class NoteFormat:
    template: NoteTemplate
    sections: tuple[Section, ...]

    @property
    def label(self) -> str:
        return str(self.template.label)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def keys(self) -> list[str]:
        return [s.key for s in self.sections]


def _plan(required: bool = True) -> Section:
    return Section("plan", "Plan", "Next steps, homework, next session.", required)


INTAKE_SECTIONS = (
    Section("presenting_problem", "Presenting problem", "In the client's own words too.", True),
    Section("history", "History of the presenting problem"),
    Section("psychiatric_history", "Psychiatric history", "Previous treatment, admissions."),
    Section("substance_use", "Substance use"),
    Section("medical_history", "Medical history and medications"),
    Section("family_social", "Family and social history", "Housing, work, relationships."),
    Section("trauma", "Trauma history"),
    Section("strengths", "Strengths and supports"),
    Section("mse_appearance", "Appearance", group=MSE, rows=1),
    Section("mse_behaviour", "Behavior and eye contact", group=MSE, rows=1),
    Section(
        "mse_speech",
        "Speech",
        choices=("Normal rate and volume", "Pressured", "Slow", "Soft", "Loud", "Slurred", "Mute"),
        group=MSE,
    ),
    Section("mse_mood", "Mood (the client's words)", group=MSE, rows=1),
    Section(
        "mse_affect",
        "Affect",
        choices=(
            "Euthymic",
            "Depressed",
            "Anxious",
            "Irritable",
            "Flat",
            "Blunted",
            "Labile",
            "Expansive",
            "Incongruent with mood",
        ),
        group=MSE,
    ),
    Section(
        "mse_thought_process",
        "Thought process",
        choices=(
            "Linear and goal-directed",
            "Circumstantial",
            "Tangential",
            "Loose associations",
            "Flight of ideas",
            "Thought blocking",
            "Perseverative",
        ),
        group=MSE,
    ),
    Section(
        "mse_thought_content",
        "Thought content",
        "Preoccupations, delusions, suicidal or homicidal ideation.",
        group=MSE,
        rows=2,
    ),
    Section(
        "mse_perception",
        "Perception",
        choices=(
            "No perceptual disturbance",
            "Auditory hallucinations",
            "Visual hallucinations",
            "Other hallucinations",
            "Illusions",
            "Depersonalisation or derealisation",
        ),
        group=MSE,
    ),
    Section(
        "mse_orientation",
        "Orientation",
        choices=(
            "Oriented to person, place, time and situation",
            "Partly oriented",
            "Disoriented",
        ),
        group=MSE,
    ),
    Section("mse_memory_attention", "Memory and attention", group=MSE, rows=1),
    Section("mse_insight", "Insight", choices=GRADES, group=MSE),
    Section("mse_judgment", "Judgment", choices=GRADES, group=MSE),
    Section("risk", "Risk assessment", "Risk to self and others, protective factors.", True),
    Section("formulation", "Formulation", required=True),
    Section("recommendations", "Recommendations", required=True),
)

FORMATS: dict[str, NoteFormat] = {
    f.template.value: f
    for f in (
        NoteFormat(NoteTemplate.INTAKE, INTAKE_SECTIONS),
        NoteFormat(
            NoteTemplate.SOAP,
            (
                Section("subjective", "Subjective", "What the client reports.", True),
                Section("objective", "Objective", "What you observed; measures.", True),
                Section("assessment", "Assessment", required=True),
                _plan(),
            ),
        ),
        NoteFormat(
            NoteTemplate.DAP,
            (
                Section("data", "Data", "What happened in the session.", True),
                Section("assessment", "Assessment", required=True),
                _plan(),
            ),
        ),
        NoteFormat(
            NoteTemplate.BIRP,
            (
                Section("behavior", "Behavior", "Presentation and what the client said.", True),
                Section("intervention", "Intervention", required=True),
                Section("response", "Response", required=True),
                _plan(),
            ),
        ),
        NoteFormat(
            NoteTemplate.GIRP,
            (
                Section("goal", "Goal", "The plan goal or objective worked on.", True),
                Section("intervention", "Intervention", required=True),
                Section("response", "Response", required=True),
                _plan(),
            ),
        ),
        NoteFormat(NoteTemplate.FREE_TEXT, (Section("text", "Note", required=True, rows=10),)),
        NoteFormat(
            NoteTemplate.PSYCHOTHERAPY,
            (
                Section(
                    "process",
                    "Process notes",
                    "Your own impressions of the session. Nothing that belongs in the record.",
                    True,
                    rows=10,
                ),
                Section("hypotheses", "Working hypotheses", rows=4),
            ),
        ),
    )
}


def format_of(template: str) -> NoteFormat:
    return FORMATS[template]


def clean_content(template: str, values: dict[str, Any]) -> dict[str, str]:
    """The template's sections from ``values`` as stripped text; unknown keys are dropped.

    A choice that is not one of its section's options raises ``ValueError``.
    """
    content: dict[str, str] = {}
    for section in format_of(template).sections:
        value = values.get(section.key)
        text = value.strip() if isinstance(value, str) else ""
        if text and section.choices and text not in section.choices:
            raise ValueError(section.key)
        content[section.key] = text
    return content


def missing_for_signing(template: str, content: dict[str, Any]) -> list[Section]:
    return [
        s
        for s in format_of(template).sections
        if s.required and not str(content.get(s.key, "")).strip()
    ]


def summary(template: str, content: dict[str, Any], limit: int = 240) -> str:
    """The first filled section, cut to ``limit`` characters (for the chart timeline)."""
    for section in format_of(template).sections:
        text = str(content.get(section.key, "")).strip()
        if text:
            return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""


def displayed(template: str, content: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sections for reading: ``[(group, [(label, text), ...]), ...]`` in template order."""
    grouped: list[tuple[str, list[tuple[str, str]]]] = []
    for section in format_of(template).sections:
        item = (section.label, str(content.get(section.key, "")))
        if grouped and grouped[-1][0] == section.group:
            grouped[-1][1].append(item)
        else:
            grouped.append((section.group, [item]))
    return grouped


def compared(
    template: str, saved: dict[str, Any], mine: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """``(label, saved text, my text)`` for the sections where the two differ (REL-04)."""
    rows = []
    for section in format_of(template).sections:
        theirs, yours = str(saved.get(section.key, "")), str(mine.get(section.key, ""))
        if theirs.strip() != yours.strip():
            rows.append((section.label, theirs, yours))
    return rows
