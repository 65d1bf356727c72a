"""Writing the problem list (STYLE habit 2): add, change status, co-sign, return.

Each service checks access against the diagnosis as stored (its client is never taken from the
caller: a diagnosis cannot be moved to another client, SEC-11), writes the diagnosis and its
``DiagnosisChange`` history row in one transaction (REL-03), and records the audit event in
that same transaction (REL-06). Changes are checked against the version the editor loaded, in
the UPDATE itself, so two people changing one diagnosis never overwrite each other (REL-04).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import client_for, require_capability
from alliance.audit.actions import AuditAction, AuditPurpose
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.diagnoses import icd10
from alliance.diagnoses.models import (
    CURRENT_STATUSES,
    ChangeEvent,
    CosignStatus,
    Diagnosis,
    DiagnosisChange,
    DiagnosisKind,
    DiagnosisStatus,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import SupervisionLink, User

NOTE_MAX = 2000


class StaleDiagnosis(Exception):
    """Someone changed this diagnosis after the editor loaded it; nothing was written."""

    def __init__(self, current: Diagnosis) -> None:
        super().__init__("diagnosis changed since it was loaded")
        self.current = current


class CosignRefused(Exception):
    """Nothing to co-sign here: the actor does not supervise the author (``not_supervisor``),
    or the diagnosis no longer waits for co-signature (``not_pending``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


RACE_MESSAGE = "Someone changed this problem list at the same moment: check it and try again."


def is_supervisee(user: User, today: date | None = None) -> bool:
    """Whether ``user`` is under clinical supervision today (their diagnoses need co-signing)."""
    day = today or timezone.localdate()
    return SupervisionLink.objects.filter(SupervisionLink.active_q(day), supervisee=user).exists()


def supervises(supervisor: User, supervisee_id: int | None, today: date | None = None) -> bool:
    if supervisee_id is None:
        return False
    day = today or timezone.localdate()
    return SupervisionLink.objects.filter(
        SupervisionLink.active_q(day), supervisor=supervisor, supervisee_id=supervisee_id
    ).exists()


def _writable(actor: User, client_id: int) -> Client:
    """The client, if the actor may diagnose and write to its chart; 404 otherwise."""
    require_capability(actor, Capability.DIAGNOSE)
    client_for(actor=actor, client_id=client_id, capability=Capability.DIAGNOSE)
    return client_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)


def _clean_note(note: str, errors: dict[str, list[str]], *, required: bool = False) -> str:
    text = note.strip()
    if required and not text:
        errors.setdefault("note", []).append("Say why.")
    if len(text) > NOTE_MAX:
        errors.setdefault("note", []).append(f"Keep the note under {NOTE_MAX} characters.")
    return text


def _current_primary(client_id: int, exclude: int | None = None) -> Diagnosis | None:
    found = Diagnosis.objects.filter(client_id=client_id, is_primary=True)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.first()


def _history(
    diagnosis: Diagnosis,
    *,
    actor: User,
    event: ChangeEvent,
    old_status: str,
    note: str,
    when: datetime,
) -> DiagnosisChange:
    return DiagnosisChange.objects.create(
        diagnosis=diagnosis,
        version=diagnosis.version,
        event=event,
        changed_by=actor,
        changed_at=when,
        old_status=old_status,
        new_status=diagnosis.status,
        is_primary=diagnosis.is_primary,
        note=note,
    )


def _demote(primary: Diagnosis, *, actor: User, successor: str, when: datetime) -> None:
    """Take the primary flag off ``primary`` (another diagnosis becomes primary)."""
    updated = Diagnosis.objects.filter(pk=primary.pk, version=primary.version).update(
        is_primary=False, version=F("version") + 1, updated_at=when
    )
    if updated != 1:
        raise ValidationError({"is_primary": [RACE_MESSAGE]})
    primary.refresh_from_db()
    _history(
        primary,
        actor=actor,
        event=ChangeEvent.PRIMARY,
        old_status=primary.status,
        note=f"{successor} is now the primary diagnosis.",
        when=when,
    )
    _audit(actor, primary, AuditAction.CHANGE, primary=False, primary_moved_to=successor)


def _audit(actor: User, diagnosis: Diagnosis, action: AuditAction, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        client=diagnosis.client_id,
        target=diagnosis,
        purpose=AuditPurpose.TREATMENT,
        detail={"code": diagnosis.icd10_code, "version": diagnosis.version, **detail},
    )


def diagnosis_add(
    *,
    actor: User,
    client: Client,
    code: str,
    status: str,
    onset: date | None = None,
    is_primary: bool = False,
    note: str = "",
) -> Diagnosis:
    """Record a diagnosis (or a Z-code factor) on ``client``'s problem list.

    The code must be a valid, billable ICD-10-CM code; its description is copied from the
    library. The author is ``actor`` (never a form value); a supervisee's diagnosis waits for
    co-signature. A new primary takes the flag from the previous one.
    """
    client = _writable(actor, client.pk)
    errors: dict[str, list[str]] = {}
    found: icd10.Code | None = None
    try:
        found = icd10.lookup(code)
    except icd10.CodeInvalid as invalid:
        errors["code"] = [invalid.message]
    if status not in CURRENT_STATUSES:
        errors["status"] = ["A new diagnosis is provisional, active or in remission."]
    if onset is not None and onset > timezone.localdate():
        errors["onset"] = ["The onset cannot be in the future."]
    text = _clean_note(note, errors)
    if found is not None:
        if found.is_factor and is_primary:
            errors["is_primary"] = [
                "A social or contextual factor (Z-code) cannot be the primary diagnosis."
            ]
        if Diagnosis.objects.filter(
            client=client, icd10_code=found.code, status__in=CURRENT_STATUSES
        ).exists():
            errors["code"] = [f"{found.code} is already on the problem list."]
    if errors:
        raise ValidationError(errors)
    assert found is not None
    supervised = is_supervisee(actor)
    try:
        diagnosis = _add_write(
            actor=actor,
            client=client,
            found=found,
            status=status,
            onset=onset,
            is_primary=is_primary,
            note=text,
            supervised=supervised,
        )
    except IntegrityError:
        # The database's own rules (one primary, no current duplicate) caught a racing writer.
        raise ValidationError({"code": [RACE_MESSAGE]}) from None
    return diagnosis


def _add_write(
    *,
    actor: User,
    client: Client,
    found: icd10.Code,
    status: str,
    onset: date | None,
    is_primary: bool,
    note: str,
    supervised: bool,
) -> Diagnosis:
    now = timezone.now()
    with transaction.atomic():
        previous = _current_primary(client.pk) if is_primary else None
        if previous is not None:
            _demote(previous, actor=actor, successor=found.code, when=now)
        diagnosis = Diagnosis.objects.create(
            client=client,
            icd10_code=found.code,
            description=found.description,
            kind=DiagnosisKind.FACTOR if found.is_factor else DiagnosisKind.DIAGNOSIS,
            status=status,
            onset_on=onset,
            is_primary=is_primary,
            diagnosed_by=actor,
            part2_program_id=part2.program_for_write(actor, client),
            cosign_status=CosignStatus.PENDING if supervised else CosignStatus.NOT_REQUIRED,
            cosign_author=actor if supervised else None,
        )
        _history(
            diagnosis, actor=actor, event=ChangeEvent.CREATED, old_status="", note=note, when=now
        )
        _audit(
            actor,
            diagnosis,
            AuditAction.CREATE,
            status=status,
            primary=is_primary,
            cosign=diagnosis.cosign_status,
        )
    return diagnosis


def diagnosis_change_status(
    *,
    actor: User,
    diagnosis: Diagnosis,
    status: str,
    version: int,
    note: str = "",
    is_primary: bool | None = None,
) -> Diagnosis:
    """Move a diagnosis to ``status`` (and set or clear its primary flag), with a reason.

    ``version`` is the one the editor loaded: a stale one raises ``StaleDiagnosis`` and writes
    nothing. A resolved or ruled-out diagnosis loses the primary flag. A supervisee's change
    waits for co-signature again.
    """
    current = Diagnosis.objects.get(pk=diagnosis.pk)  # as stored: never a caller's copy
    _writable(actor, current.client_id)
    if current.version != version:
        raise StaleDiagnosis(current)
    errors: dict[str, list[str]] = {}
    if status not in DiagnosisStatus.values:
        errors["status"] = ["Choose a status."]
    text = _clean_note(note, errors, required=True)
    primary = current.is_primary if is_primary is None else is_primary
    if status not in CURRENT_STATUSES:
        primary = False
    elif primary and current.is_factor:
        errors["is_primary"] = [
            "A social or contextual factor (Z-code) cannot be the primary diagnosis."
        ]
    if (
        status in CURRENT_STATUSES
        and not current.is_current
        and Diagnosis.objects.filter(
            client_id=current.client_id, icd10_code=current.icd10_code, status__in=CURRENT_STATUSES
        ).exists()
    ):
        errors["status"] = [f"{current.icd10_code} is already on the problem list again."]
    if not errors and status == current.status and primary == current.is_primary:
        errors["status"] = ["Nothing to change: choose another status or primary flag."]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    supervised = is_supervisee(actor)
    cosign: dict[str, Any] = {}
    if supervised:
        cosign = {
            "cosign_status": CosignStatus.PENDING,
            "cosign_author": actor,
            "cosigned_by": None,
            "cosigned_at": None,
            "return_comment": "",
        }
    try:
        with transaction.atomic():
            return _change_write(
                actor=actor,
                current=current,
                status=status,
                version=version,
                primary=primary,
                note=text,
                cosign=cosign,
                when=now,
            )
    except IntegrityError:
        raise ValidationError({"status": [RACE_MESSAGE]}) from None


def _change_write(
    *,
    actor: User,
    current: Diagnosis,
    status: str,
    version: int,
    primary: bool,
    note: str,
    cosign: dict[str, Any],
    when: datetime,
) -> Diagnosis:
    """The writes of a status change; the caller holds the transaction."""
    previous = _current_primary(current.client_id, exclude=current.pk) if primary else None
    if previous is not None:
        _demote(previous, actor=actor, successor=current.icd10_code, when=when)
    updated = Diagnosis.objects.filter(pk=current.pk, version=version).update(
        status=status,
        is_primary=primary,
        version=F("version") + 1,
        updated_at=when,
        **cosign,
    )
    if updated != 1:
        raise StaleDiagnosis(Diagnosis.objects.get(pk=current.pk))
    old_status = current.status
    current.refresh_from_db()
    event = ChangeEvent.STATUS if status != old_status else ChangeEvent.PRIMARY
    _history(current, actor=actor, event=event, old_status=old_status, note=note, when=when)
    _audit(
        actor,
        current,
        AuditAction.CHANGE,
        old_status=old_status,
        status=status,
        primary=primary,
        cosign=current.cosign_status,
    )
    return current


def _review(
    *, actor: User, diagnosis: Diagnosis, version: int | None, outcome: CosignStatus, comment: str
) -> Diagnosis:
    current = Diagnosis.objects.get(pk=diagnosis.pk)
    _writable(actor, current.client_id)
    if not supervises(actor, current.cosign_author_id):
        raise CosignRefused("not_supervisor")
    if current.cosign_status != CosignStatus.PENDING:
        raise CosignRefused("not_pending")
    if version is not None and current.version != version:
        raise StaleDiagnosis(current)
    now = timezone.now()
    with transaction.atomic():
        updated = Diagnosis.objects.filter(
            pk=current.pk, version=current.version, cosign_status=CosignStatus.PENDING
        ).update(
            cosign_status=outcome,
            cosigned_by=actor if outcome == CosignStatus.COSIGNED else None,
            cosigned_at=now if outcome == CosignStatus.COSIGNED else None,
            return_comment=comment if outcome == CosignStatus.RETURNED else "",
            version=F("version") + 1,
            updated_at=now,
        )
        if updated != 1:
            raise StaleDiagnosis(Diagnosis.objects.get(pk=current.pk))
        current.refresh_from_db()
        event = ChangeEvent.COSIGNED if outcome == CosignStatus.COSIGNED else ChangeEvent.RETURNED
        _history(
            current, actor=actor, event=event, old_status=current.status, note=comment, when=now
        )
        _audit(actor, current, AuditAction.CHANGE, cosign=str(outcome))
    return current


def diagnosis_cosign(
    *, actor: User, diagnosis: Diagnosis, version: int | None = None, note: str = ""
) -> Diagnosis:
    """A supervisor of the diagnosis's author co-signs it (``CosignRefused`` for anyone else)."""
    errors: dict[str, list[str]] = {}
    text = _clean_note(note, errors)
    if errors:
        raise ValidationError(errors)
    return _review(
        actor=actor,
        diagnosis=diagnosis,
        version=version,
        outcome=CosignStatus.COSIGNED,
        comment=text,
    )


def diagnosis_return(
    *, actor: User, diagnosis: Diagnosis, comment: str, version: int | None = None
) -> Diagnosis:
    """A supervisor returns the diagnosis to its author with comments (which are required)."""
    errors: dict[str, list[str]] = {}
    text = _clean_note(comment, errors, required=True)
    if errors:
        raise ValidationError({"comment": errors["note"]})
    return _review(
        actor=actor,
        diagnosis=diagnosis,
        version=version,
        outcome=CosignStatus.RETURNED,
        comment=text,
    )
