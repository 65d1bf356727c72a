"""Writing encounters and notes (STYLE habit 2): validate, check access, write, audit, together.

Every write checks the access policy again (a 404 outside it) and records its audit event in the
same transaction. Who the author is comes from the signed-in actor, never from a form, and a
note keeps its client, encounter and author for ever (SEC-11; the database refuses too).

The lifecycle is the records kernel's (``records.lifecycle``): saving a draft is an atomic
``UPDATE … WHERE version = n`` (the second of two editors gets ``StaleDraft`` with the text now
saved, REL-04), every save writes a ``NoteVersion`` (REL-03), signing records the SHA-256 of the
canonical content, and afterwards the database lets only co-signature, CPT confirmation and
entered-in-error change (REL-01, REL-02). What is a note's own is here: templates, the
psychotherapy-note rules, the objectives addressed, CPT codes and co-signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import client_for, has_capability
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.notes.contact import last_contact_refresh
from alliance.notes.cpt import CPT_CODES, NO_CODE, cpt_suggest, cpt_text
from alliance.notes.formats import FORMATS, clean_content, missing_for_signing
from alliance.notes.models import (
    Addendum,
    CosignStatus,
    Encounter,
    EncounterSetting,
    EncounterType,
    Note,
    NoteStatus,
    NoteTemplate,
)
from alliance.notes.psychotherapy import excluded_content
from alliance.notes.selectors import NoteNotFound
from alliance.notes.signing import NOTE, reload_note
from alliance.plans.addressed import missing_addressed, with_addressed
from alliance.records import lifecycle
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.capabilities import Capability
from alliance.staff.models import SupervisionLink, User
from alliance.staff.stepup import step_up


@dataclass(frozen=True)
class EncounterValues:
    """What the clinician says about a session; the clinician is always the actor."""

    date: date
    start_time: time
    end_time: time
    encounter_type: str
    setting: str
    participants: list[str] = field(default_factory=list)
    client_present: bool = True


# ---------------------------------------------------------------------------------- helpers


def _writable(actor: User, client: Client | int) -> Client:
    client_id = client if isinstance(client, int) else client.pk
    return client_for(actor=actor, client_id=client_id, capability=Capability.CHART_WRITE)


def _own(actor: User, note: Note) -> None:
    """Only the author edits, signs or withdraws a note; to anyone else it is not there."""
    if note.author_id != actor.pk:
        raise NoteNotFound


def _content(template: str, values: dict[str, Any]) -> dict[str, str]:
    try:
        content = clean_content(template, values)
    except ValueError as error:
        raise ValidationError({str(error): ["Choose one of the options."]}) from None
    if template == NoteTemplate.PSYCHOTHERAPY:
        findings = excluded_content(content.values())
        if findings:
            raise ValidationError([f.message for f in findings], code="psychotherapy_excluded")
    return content


def is_supervisee(user: User, today: date | None = None) -> bool:
    day = today or timezone.localdate()
    return SupervisionLink.objects.filter(SupervisionLink.active_q(day), supervisee=user).exists()


# ------------------------------------------------------------------------------- creating


def _encounter_validate(values: EncounterValues) -> None:
    errors: dict[str, list[str]] = {}
    if values.encounter_type not in EncounterType.values:
        errors["encounter_type"] = ["Choose the type of session."]
    if values.setting not in EncounterSetting.values:
        errors["setting"] = ["Choose where the session took place."]
    if values.end_time <= values.start_time:
        errors["end_time"] = ["The session must end after it starts."]
    if values.date > timezone.localdate():
        errors["date"] = ["A session cannot be documented before it happens."]
    if errors:
        raise ValidationError(errors)


def note_create(
    *,
    actor: User,
    client: Client,
    template: str,
    session: EncounterValues | None = None,
    encounter: Encounter | None = None,
) -> Note:
    """A new draft (version 1), for a new session, an existing session of the same client, or
    none. The actor is the author and the new session's clinician."""
    client = _writable(actor, client)
    if template not in FORMATS:
        raise ValidationError({"template": ["Choose a template."]})
    if encounter is not None and encounter.client_id != client.pk:
        # Never attach a note to another client's session (SEC-11).
        raise NoteNotFound
    if session is not None:
        _encounter_validate(session)
    now = timezone.now()
    program = part2.program_for_write(actor, client)
    with transaction.atomic():
        if session is not None:
            encounter = Encounter.objects.create(
                part2_program_id=program,
                client=client,
                clinician=actor,
                date=session.date,
                start_time=session.start_time,
                end_time=session.end_time,
                encounter_type=session.encounter_type,
                setting=session.setting,
                participants=[p.strip() for p in session.participants if p.strip()],
                client_present=session.client_present,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                client=client,
                target=encounter,
                detail={"type": session.encounter_type, "setting": session.setting},
            )
        note = Note.all_kinds.create(
            client=client,
            encounter=encounter,
            author=actor,
            template=template,
            content=clean_content(template, {}),
            status=NoteStatus.DRAFT,
            version=1,
            part2_program_id=program,
        )
        NOTE.write_version(note, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=note,
            detail={"template": template, "version": 1},
        )
    return note


# --------------------------------------------------------------------------------- drafts


def note_save(
    *,
    actor: User,
    note: Note,
    values: dict[str, Any],
    version: int,
    addressed: list[dict[str, Any]] | None = None,
) -> Note:
    """Save the draft's sections, if ``version`` is still the saved one (else ``StaleDraft``).

    Psychotherapy notes refuse content that belongs in the record, on every save (SEC-18).
    ``addressed``: the treatment plan objectives the note addressed (``alliance.plans``);
    ``None`` keeps those saved before.
    """
    _writable(actor, note.client_id)
    _own(actor, note)
    if not note.is_draft or note.in_error:
        raise DocumentLocked
    content = _content(note.template, values)
    # alliance.plans: the objectives addressed are part of the content (hashed, locked).
    content = with_addressed(
        client_id=note.client_id,
        template=note.template,
        content=content,
        previous=note.content,
        entries=addressed,
    )
    return lifecycle.document_save_draft(
        NOTE,
        actor=actor,
        document=note,
        lock=version,
        client_id=note.client_id,
        changes={"content": content},
        detail=lambda saved: {
            "sections": sorted(k for k in content if content[k] != note.content.get(k, "")),
            "version": saved.version,
        },
    )


# -------------------------------------------------------------------------------- signing


def note_sign(*, actor: User, note: Note, version: int, password: str) -> Note:
    """Sign the draft as it stands at ``version``: records signer, time and SHA-256 (REL-01).

    Needs ``NOTE_SIGN`` and the actor's password again (SEC-08). A supervisee's note then waits
    for a supervisor's co-signature; psychotherapy notes never do (only the author reads them).
    Session notes get their suggested CPT code, and the client's "last contact" becomes the
    session's date if it is the latest documented, in the signing transaction.
    """
    _writable(actor, note.client_id)
    _own(actor, note)
    if not has_capability(actor, Capability.NOTE_SIGN):
        raise ValidationError("Your scope of practice does not include signing notes.")
    if not note.is_draft or note.in_error:
        raise DocumentLocked
    step_up(actor, password, client_id=note.client_id, target=note, step="sign")
    current = reload_note(note)
    if current.version != version:
        raise StaleDraft(current)
    missing = missing_for_signing(current.template, current.content)
    if missing:
        names = ", ".join(str(s.label) for s in missing)
        raise ValidationError(f"Fill in before signing: {names}.", code="incomplete")
    # alliance.plans: a progress note says which objectives of the active plan it addressed.
    unaddressed = missing_addressed(
        client_id=current.client_id, template=current.template, content=current.content
    )
    if unaddressed:
        raise ValidationError(unaddressed, code="incomplete")
    if current.is_psychotherapy:
        _content(current.template, current.content)
    cpt = ""
    if current.encounter is not None and not current.is_psychotherapy:
        codes = cpt_suggest(
            encounter_type=current.encounter.encounter_type,
            minutes=current.encounter.duration_minutes,
            client_present=current.encounter.client_present,
        )
        cpt = cpt_text(codes) or NO_CODE
    cosign = (
        CosignStatus.PENDING
        if not current.is_psychotherapy and is_supervisee(actor)
        else CosignStatus.NOT_NEEDED
    )

    def in_the_signing_transaction(signed: Note) -> dict[str, Any]:
        if signed.encounter_id is not None:
            # The session it documents is a contact: the caseload's "last contact" (issue 13).
            last_contact_refresh(client_id=signed.client_id)
        return {"cosign": cosign or "not_needed"}

    signed_note: Note = lifecycle.document_sign(
        NOTE,
        actor=actor,
        document=current,
        lock=version,
        client_id=note.client_id,
        changes={"cpt_suggested": cpt, "cosign_status": cosign},
        also=in_the_signing_transaction,
    )
    return signed_note


def addendum_add(*, actor: User, note: Note, text: str, password: str) -> Addendum:
    """Add signed text to a signed note (the only way to change what it says, REL-01).

    A note returned by a supervisor goes back to the co-sign queue when its author adds one.
    """
    _writable(actor, note.client_id)
    if note.is_psychotherapy:
        _own(actor, note)
        if note.is_signed and not note.in_error:
            _content(NoteTemplate.PSYCHOTHERAPY, {"process": text})

    def requeue(addendum: Addendum, now: Any) -> dict[str, Any]:
        requeued = False
        if note.author_id == actor.pk and note.cosign_status == CosignStatus.RETURNED:
            requeued = (
                Note.all_kinds.filter(pk=note.pk, cosign_status=CosignStatus.RETURNED).update(
                    cosign_status=CosignStatus.PENDING, updated_at=now
                )
                == 1
            )
        return {"requeued": requeued}

    addendum: Addendum = lifecycle.addendum_add(
        NOTE,
        actor=actor,
        document=note,
        text=text,
        password=password,
        client_id=note.client_id,
        also=requeue,
    )
    return addendum


def note_mark_entered_in_error(*, actor: User, note: Note, reason: str, password: str) -> Note:
    """The author withdraws a note written in error, with a reason; it is never deleted.

    A signed session note no longer counts as a contact: the client's "last contact" goes back
    to the latest session still documented, in the same transaction.
    """
    _writable(actor, note.client_id)
    _own(actor, note)

    def no_longer_a_contact(marked: Note) -> None:
        if marked.is_signed and marked.encounter_id is not None:
            last_contact_refresh(client_id=marked.client_id)

    marked: Note = lifecycle.document_mark_entered_in_error(
        NOTE,
        actor=actor,
        document=note,
        reason=reason,
        password=password,
        client_id=note.client_id,
        also=no_longer_a_contact,
    )
    return marked


def cpt_confirm(*, actor: User, note: Note, code: str) -> Note:
    """The author confirms the suggested CPT code, or chooses another (final once set)."""
    _writable(actor, note.client_id)
    _own(actor, note)
    if not note.is_signed or note.encounter_id is None or note.is_psychotherapy:
        raise ValidationError("Only a signed session note carries a CPT code.")
    allowed = {note.cpt_suggested, NO_CODE, *CPT_CODES}
    if code not in allowed or not code:
        raise ValidationError({"code": ["Choose a code from the list."]})
    now = timezone.now()
    with transaction.atomic():
        done = Note.all_kinds.filter(pk=note.pk, cpt_confirmed="").update(
            cpt_confirmed=code, cpt_confirmed_at=now, updated_at=now
        )
        if done != 1:
            raise ValidationError("The CPT code was already confirmed.")
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=note.client_id,
            target=note,
            detail={"cpt_confirmed": code, "cpt_suggested": note.cpt_suggested},
        )
    return reload_note(note)
