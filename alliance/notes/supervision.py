"""Co-signature of supervisees' notes: the supervisor co-signs or returns with comments.

A note by an author who is someone's supervisee today waits, once signed, in the co-sign queue
of their supervisors (``worklists.cosign_queue_for``). Returning it keeps the comments in a
``CosignReview``; the author's next addendum puts it back in the queue (``addendum_add``).
Psychotherapy notes never come here: only their author may read them (SEC-16).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import client_for, has_capability, supervisee_ids
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.notes.models import CosignDecision, CosignReview, CosignStatus, Note
from alliance.notes.selectors import NoteNotFound
from alliance.notes.signing import reload_note
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up


def _supervising(actor: User, note: Note) -> None:
    if (
        note.is_psychotherapy
        or not has_capability(actor, Capability.NOTE_SIGN)
        or note.author_id not in supervisee_ids(actor, timezone.localdate())
    ):
        raise NoteNotFound
    client_for(actor=actor, client_id=note.client_id, capability=Capability.CHART_READ)


def note_cosign(*, actor: User, note: Note, password: str) -> Note:
    """A supervisor of the author co-signs a note waiting in the queue (step-up, SEC-08)."""
    _supervising(actor, note)
    if note.cosign_status != CosignStatus.PENDING or note.in_error:
        raise ValidationError("This note is not waiting for a co-signature.")
    step_up(actor, password, client_id=note.client_id, target=note, step="cosign")
    now = timezone.now()
    with transaction.atomic():
        done = Note.all_kinds.filter(pk=note.pk, cosign_status=CosignStatus.PENDING).update(
            cosign_status=CosignStatus.COSIGNED, cosigned_by=actor, cosigned_at=now, updated_at=now
        )
        if done != 1:
            raise ValidationError("This note is not waiting for a co-signature.")
        CosignReview.objects.create(
            note=note, supervisor=actor, decision=CosignDecision.COSIGNED, decided_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=note.client_id,
            target=note,
            detail={"cosign": "cosigned"},
        )
    return reload_note(note)


def note_return(*, actor: User, note: Note, comment: str) -> Note:
    """A supervisor returns the note to its author with comments (answered by an addendum)."""
    _supervising(actor, note)
    if note.cosign_status != CosignStatus.PENDING or note.in_error:
        raise ValidationError("This note is not waiting for a co-signature.")
    if not comment.strip():
        raise ValidationError({"comment": ["Say what the author should add or correct."]})
    now = timezone.now()
    with transaction.atomic():
        done = Note.all_kinds.filter(pk=note.pk, cosign_status=CosignStatus.PENDING).update(
            cosign_status=CosignStatus.RETURNED, updated_at=now
        )
        if done != 1:
            raise ValidationError("This note is not waiting for a co-signature.")
        CosignReview.objects.create(
            note=note,
            supervisor=actor,
            decision=CosignDecision.RETURNED,
            comment=comment.strip(),
            decided_at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=note.client_id,
            target=note,
            detail={"cosign": "returned"},
        )
    return reload_note(note)
