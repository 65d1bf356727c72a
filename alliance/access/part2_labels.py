"""Clearing a wrong 42 CFR Part 2 label from one record: privileged and audited (SEC-19).

A label is derived when the record is written (``access.part2.program_for_write``); it is wrong
when, for instance, a counselor who works in two programs wrote a note of the other program
while the client was enrolled in both. Clearing it makes the record visible to the client's
whole care team, so it takes a second person: a member of the program who supervises the
record's author, with a reason in words and the password again. Each removal is a
``LabelRemoval`` row (append-only) and a high-severity audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from alliance.access import part2
from alliance.access.models import LabelRemoval
from alliance.access.policy import may, supervisee_ids
from alliance.audit.actions import AuditAction, AuditOutcome, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.records.labels import PART2_LABELS
from alliance.records.reasons import reason_clean
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up


@dataclass(frozen=True)
class LabelledKind:
    """A record type that carries a Part 2 label, as the URL names it."""

    model: str  # app label and model name
    author_field: str  # the attribute holding the id of whoever wrote it

    def rows(self) -> models.QuerySet[models.Model]:
        return apps.get_model(self.model)._default_manager.all()


KINDS = {
    "note": LabelledKind("notes.Note", "author_id"),
    "diagnosis": LabelledKind("diagnoses.Diagnosis", "diagnosed_by_id"),
    "measure": LabelledKind("assessments.Administration", "entered_by_id"),
}


class LabelledRecordNotFound(Http404):
    """No such record, not labelled, or not one the actor may see: the same answer."""


class LabelRemovalRefused(Exception):
    """The actor sees the record but may not clear its label (not the author's supervisor)."""


def labelled_record(*, actor: User, client: Client, kind: str, record_id: int) -> models.Model:
    """The labelled record if the actor may see it (the policy opened ``client`` already)."""
    found = KINDS.get(kind)
    if found is None:
        raise LabelledRecordNotFound
    record = (
        found.rows()
        .filter(part2.labelled_visible_q(actor, client), pk=record_id, client=client)
        .filter(part2_program__isnull=False)
        .first()
    )
    if record is None:
        raise LabelledRecordNotFound
    return record


def may_remove_label(*, actor: User, client: Client, kind: str, record: models.Model) -> bool:
    """A current member of the record's program, with write access to the chart, who
    supervises the record's author today (never the author alone)."""
    author_id = getattr(record, KINDS[kind].author_field)
    return (
        getattr(record, "part2_program_id", None) in part2.member_program_ids(actor)
        and may(actor=actor, client=client, capability=Capability.CHART_WRITE)
        and author_id is not None
        and author_id in supervisee_ids(actor, timezone.localdate())
    )


def label_remove(
    *, actor: User, client: Client, kind: str, record: models.Model, reason: str, password: str
) -> LabelRemoval:
    """Clear the record's Part 2 label; ``ValidationError`` for the reason, ``StepUpFailed``
    for the password, ``LabelRemovalRefused`` (audited) for anyone but who may."""
    target_type = KINDS[kind].model
    if not may_remove_label(actor=actor, client=client, kind=kind, record=record):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.CHANGE,
                client=client,
                target=record,
                outcome=AuditOutcome.DENIED,
                severity=AuditSeverity.HIGH,
                detail={"step": "part2_label_remove", "refused": "not_privileged"},
            )
        raise LabelRemovalRefused
    text = reason_clean(reason, prompt="Say why the record is not the program's")
    step_up(actor, password, client_id=client.pk, target=record, step="part2_label_remove")
    program_id = record.part2_program_id  # type: ignore[attr-defined]
    with transaction.atomic():
        done = (
            KINDS[kind]
            .rows()
            .filter(pk=record.pk, part2_program_id=program_id)
            .update(part2_program=None)
        )
        if done != 1:
            raise LabelledRecordNotFound  # someone cleared it a moment ago
        _clear_session_label(kind, record)
        removal = LabelRemoval.objects.create(
            record_type=target_type,
            record_id=record.pk,
            client=client,
            program_id=program_id,
            removed_by=actor,
            reason=text,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client,
            target=record,
            severity=AuditSeverity.HIGH,
            detail={"labels_removed": list(PART2_LABELS), "removal": removal.pk},
        )
    record.part2_program_id = None  # type: ignore[attr-defined]
    return removal


def _clear_session_label(kind: str, record: models.Model) -> None:
    """A session whose notes are no longer labelled is no longer the program's either."""
    encounter_id = getattr(record, "encounter_id", None) if kind == "note" else None
    if encounter_id is None:
        return
    notes = KINDS["note"].rows().filter(encounter_id=encounter_id, part2_program__isnull=False)
    if not notes.exists():
        apps.get_model("notes.Encounter")._default_manager.filter(pk=encounter_id).update(
            part2_program=None
        )
