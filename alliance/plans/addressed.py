"""Which plan objectives a progress note addressed, and the progress on each.

This is part of the note's content (``Note.content[ADDRESSED_KEY]``): saved with the draft,
kept in every ``NoteVersion``, covered by the note's SHA-256 when it is signed and locked with
it by the notes' database guard (REL-01). Each entry keeps the objective's words as they were,
so the signed note reads the same after the plan is revised. Psychotherapy notes never carry
it (plans and progress belong in the record, SEC-18).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from alliance.plans.models import Objective, PlanStatus
from alliance.plans.progress import target_text

ADDRESSED_KEY = "plan_objectives"
MAX_COMMENT = 500
# Session notes that document treatment: each must say which objectives it worked on when the
# client has an active plan. Intake and free-text notes may, and need not.
PROGRESS_TEMPLATES = frozenset({"soap", "dap", "birp", "girp"})
PSYCHOTHERAPY = "psychotherapy"


class Rating(models.TextChoices):
    PROGRESSING = "progressing", "Progressing"
    NO_CHANGE = "no_change", "No change"
    REGRESSING = "regressing", "Regressing"
    MET = "met", "Met"


def addressed_in(content: dict[str, Any]) -> list[dict[str, Any]]:
    entries = content.get(ADDRESSED_KEY) or []
    return [e for e in entries if isinstance(e, dict)]


def _active_objectives(client_id: int) -> dict[int, Objective]:
    return {
        o.pk: o
        for o in Objective.objects.filter(
            plan__client_id=client_id, plan__status=PlanStatus.ACTIVE
        ).select_related("plan")
    }


def clean_addressed(*, client_id: int, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries ``{"objective": id, "rating": …, "comment": …}`` checked against the client's
    active plan, with the objective's words copied in; ``ValidationError`` otherwise."""
    if not entries:
        return []
    objectives = _active_objectives(client_id)
    cleaned, errors = [], []
    for entry in entries:
        try:
            pk = int(str(entry.get("objective")))
        except ValueError:
            pk = -1
        objective = objectives.get(pk)
        comment = str(entry.get("comment") or "").strip()
        if objective is None:
            errors.append("An objective is no longer part of the client's active plan.")
            continue
        if entry.get("rating") not in Rating.values:
            errors.append(f"Rate the progress on “{objective.description[:60]}”.")
            continue
        if len(comment) > MAX_COMMENT:
            errors.append(f"Keep each progress comment under {MAX_COMMENT} characters.")
            continue
        cleaned.append(
            {
                "objective": objective.pk,
                "plan": objective.plan_id,
                "plan_version": objective.plan.number,
                "description": objective.description,
                "target": target_text(objective),
                "rating": entry["rating"],
                "comment": comment,
            }
        )
    if errors:
        raise ValidationError({ADDRESSED_KEY: errors})
    return cleaned


def with_addressed(
    *,
    client_id: int,
    template: str,
    content: dict[str, Any],
    previous: dict[str, Any],
    entries: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """``content`` with the addressed objectives: the new ``entries``, or those saved before
    when the caller sent none (``None``). Never on a psychotherapy note."""
    if template == PSYCHOTHERAPY:
        return content
    kept = addressed_in(previous) if entries is None else None
    addressed = (
        kept if kept is not None else clean_addressed(client_id=client_id, entries=entries or [])
    )
    if addressed:
        return {**content, ADDRESSED_KEY: addressed}
    return content


def missing_addressed(*, client_id: int, template: str, content: dict[str, Any]) -> str:
    """Why the note cannot be signed yet for want of addressed objectives, or ""."""
    if template not in PROGRESS_TEMPLATES or addressed_in(content):
        return ""
    if not _active_objectives(client_id):
        return ""
    return "Record which treatment plan objectives this session addressed, and the progress."


def ratings() -> list[tuple[str, str]]:
    return list(Rating.choices)
