"""The chart's repeated rows, built in Python instead of template loops.

The chart is the page clinicians open most, and its long lists (the notes timeline, the
Measures tables, a plan of a hundred objectives) cost more as template loops than everything
else on the page: each row is a few dozen template nodes, each resolved by Django's lookup
chain, and even ``format_html`` spends most of its time deciding whether each value is already
safe. Here every value from the record goes through ``_e`` (``html.escape``) exactly once, the
markup around it is literal, and each filter marks its finished string safe once. Tests in
``tests/web/test_chart_rows.py`` feed hostile text through every filter. Keep the markup in
step with the accessible structure the section templates describe around it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString

from alliance.assessments.models import AdministrationMode
from alliance.notes.models import CosignStatus, EncounterSetting, EncounterType, NoteTemplate
from alliance.web.html import day as _day
from alliance.web.html import hour_minute as _hm
from alliance.web.html import markup as _safe
from alliance.web.html import number as _number
from alliance.web.html import text as _e
from alliance.web.reversing import url_for
from alliance.web.templatetags.alliance_tags import flag_label, humanise

register = template.Library()

EMPTY_SESSION = '<p class="empty">No note in the record for this session.</p>'
# Value -> label of the choice fields the long lists show, built once from the TextChoices. A
# value without a label shows as itself, as ``get_FOO_display`` does.
NOTE_TEMPLATE_LABELS = {value: str(label) for value, label in NoteTemplate.choices}
ENCOUNTER_TYPE_LABELS = {value: str(label) for value, label in EncounterType.choices}
ENCOUNTER_SETTING_LABELS = {value: str(label) for value, label in EncounterSetting.choices}
MODE_LABELS = {value: str(label) for value, label in AdministrationMode.choices}

DRAFT = ' <span class="tag">draft</span>'
PENDING = ' <span class="tag">waiting for co-signature</span>'
RETURNED = ' <span class="tag no">returned</span>'
IN_ERROR = ' <span class="tag no">entered in error</span>'
SIGNATURE_BROKEN = ' <span class="tag no">does not match its signature</span>'


# ------------------------------------------------------------------------------ notes timeline


def _note_item(note: Any) -> str:
    """One note of a timeline entry (a record note: never a psychotherapy note)."""
    label = _e(NOTE_TEMPLATE_LABELS.get(note.template, note.template))
    if note.is_signed or note.mine:
        url = url_for("web:note_view", note.client_id, note.pk)
        parts = [f'<a href="{_e(url)}">{label}</a>']
    else:
        parts = [label]
    parts.append(f' <span class="muted">— {_e(note.author.display_name)}</span>')
    if note.is_draft:
        parts.append(DRAFT)
        if note.mine and not note.in_error:
            url = url_for("web:note_edit", note.client_id, note.pk)
            parts.append(
                f' <a href="{_e(url)}">Continue<span class="visually-hidden"> the draft</span></a>'
            )
    if note.cosign_status == CosignStatus.PENDING:
        parts.append(PENDING)
    elif note.cosign_status == CosignStatus.RETURNED:
        parts.append(RETURNED)
    if note.in_error:
        parts.append(IN_ERROR)
    if not note.signature_ok:
        parts.append(SIGNATURE_BROKEN)
    if note.is_signed and not note.in_error:
        parts.append(f"<p>{_e(note.summary)}</p>")
    opening = '<li class="in-error">' if note.in_error else "<li>"
    return opening + "".join(parts) + "</li>"


def _encounter_type(encounter: Any) -> str:
    return ENCOUNTER_TYPE_LABELS.get(encounter.encounter_type, encounter.encounter_type)


def _encounter_setting(encounter: Any) -> str:
    return ENCOUNTER_SETTING_LABELS.get(encounter.setting, encounter.setting)


def _timeline_entry(entry: Any) -> str:
    encounter = entry.encounter
    if encounter is not None:
        heading = (
            f"<h3>{_day(encounter.date)} {_hm(encounter.start_time)}\N{EN DASH}"
            f"{_hm(encounter.end_time)}: {_e(_encounter_type(encounter))} "
            f'<span class="muted">({_e(_encounter_setting(encounter).lower())}, '
            f"{_e(encounter.clinician.display_name)})</span></h3>"
        )
    else:
        heading = f"<h3>{_day(entry.day)}: note without a session</h3>"
    if entry.notes:
        notes = '<ul class="plain">' + "".join(map(_note_item, entry.notes)) + "</ul>"
    else:
        notes = EMPTY_SESSION
    return f'<li class="timeline-entry">{heading}{notes}</li>'


@register.filter
def timeline_rows(entries: Iterable[Any]) -> SafeString:
    """``<li>`` rows of the chart's notes timeline (``notes.timeline.TimelineEntry``)."""
    return _safe("\n".join(map(_timeline_entry, entries)))


# ------------------------------------------------------------------------------------ measures


def _answers(answers: object) -> str:
    if not isinstance(answers, dict):
        return ""
    return "".join(
        f"<li>Item {_e(item)}: {'—' if value is None else _e(value)}</li>"
        for item, value in answers.items()
    )


def _measure_row(administration: Any) -> str:
    total = _e(_number(administration.total) or "—")
    if administration.total_mismatch:
        submitted = _e(_number(administration.submitted_total))
        total += f' <span class="tag no">submitted {submitted}</span>'
    flags = "".join(
        f' <span class="tag no">{_e(flag_label(flag))}</span>'
        for flag in administration.critical_flags
    )
    return (
        f"<tr><td>{_day(administration.completed_at)}</td><td>{total}</td>"
        f"<td>{_e(humanise(administration.severity) or '—')}{flags}</td>"
        f"<td>{_e(MODE_LABELS.get(administration.mode, administration.mode))}</td>"
        '<td><details><summary>Show</summary><ul class="plain">'
        f"{_answers(administration.answers)}</ul></details></td></tr>"
    )


@register.filter
def measure_rows(administrations: Iterable[Any]) -> SafeString:
    """Rows of one instrument's table in the chart's Measures section, newest first."""
    return _safe("\n".join(map(_measure_row, administrations)))


# ------------------------------------------------------------------------------ treatment plan


def _objective_row(node: Any) -> str:
    progress = node.progress
    return (
        f'<tr class="progress-{_e(progress.state)}"><td>{_e(node.objective.description)}</td>'
        f"<td>{_e(progress.target_text)}</td><td>{_e(progress.latest_text)}</td>"
        f"<td>{_e(progress.status_text)}</td></tr>"
    )


@register.filter
def objective_rows(objectives: Iterable[Any]) -> SafeString:
    """The chart's treatment-plan table rows (``plans.tree.ObjectiveNode``): a plan may hold
    a hundred objectives."""
    return _safe("\n".join(map(_objective_row, objectives)))
