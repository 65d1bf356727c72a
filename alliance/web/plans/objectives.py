"""The plan on a progress note's pages: the objectives a draft addressed (form) and what the
note page shows of them, with live progress (alliance.plans). Used by the note pages."""

from __future__ import annotations

from typing import Any

from alliance.notes.models import Note
from alliance.plans.addressed import addressed_in
from alliance.plans.selectors import active_objectives_for, addressed_with_progress
from alliance.web.plans.forms import AddressedForm


def note_objectives_form(note: Note, data: Any = None) -> AddressedForm | None:
    """The draft's "objectives addressed" fields; None for psychotherapy notes (SEC-18)."""
    if note.is_psychotherapy:
        return None
    objectives = active_objectives_for(client=note.client)
    initial = AddressedForm.initial_from(addressed_in(note.content))
    return AddressedForm(objectives, data, initial=initial)


def note_objectives_context(note: Note) -> dict[str, Any]:
    """What the note page shows of the plan: the objectives addressed, with live progress."""
    if note.is_psychotherapy:
        return {}
    return {"addressed": addressed_with_progress(client=note.client, content=note.content)}
