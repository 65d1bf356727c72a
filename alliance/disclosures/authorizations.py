"""Authorizations and the disclosure of psychotherapy notes (SEC-17; 45 CFR 164.508(a)(2)).

A psychotherapy note leaves the clinic only by its author's hand, and only with either

- a valid authorization that covers psychotherapy notes and nothing else (non-compound,
  164.508(b)(3)(ii)), signed by the client for that recipient, not revoked, not expired; or
- one of the exceptions the rule lists, named by its reason code, with a reason in words.

A general release never covers a psychotherapy note. Each disclosure writes its accounting row
(SEC-29) in the same transaction as its audit event; each refusal is audited too.

A note written in a 42 CFR Part 2 program is also a SUD counseling note (42 CFR 2.11): it needs
the client's Part 2 consent for counseling notes as well, and carries the 42 CFR 2.32 notice
(``disclosures.part2``, SEC-21).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from alliance.access.policy import client_for
from alliance.audit.actions import AuditAction, AuditOutcome, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.disclosures.accounting import disclosure_write
from alliance.disclosures.models import (
    Authorization,
    Disclosure,
    DisclosureSource,
    Part2Disclosure,
    PsychotherapyNoteAuthorization,
)
from alliance.disclosures.part2 import (
    Part2Ground,
    Part2Refused,
    counseling_notes_basis,
    part2_record_write,
)
from alliance.notes.models import Note
from alliance.notes.selectors import NoteNotFound
from alliance.records.reasons import reason_problem
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


class PsychotherapyNoteException(models.TextChoices):
    """The uses and disclosures of 164.508(a)(2) that need no authorization."""

    ORIGINATOR_TREATMENT = "originator_treatment", "Use by the originator for treatment"
    TRAINING = "training", "Supervised training program (164.508(a)(2)(i)(B))"
    OWN_DEFENCE = "own_defence", "Defense in a legal action brought by the client"
    REQUIRED_BY_LAW = "required_by_law", "Required by law (164.512(a))"
    HEALTH_OVERSIGHT = "health_oversight", "Health oversight of the originator (164.512(d))"
    CORONER = "coroner", "Coroner or medical examiner (164.512(g)(1))"
    SERIOUS_THREAT = "serious_threat", "Serious threat to health or safety (164.512(j))"


class DisclosureRefused(ValidationError):
    """Neither a valid psychotherapy-note authorization nor an exception with a reason."""


# ---------------------------------------------------------------------- authorizations


def authorization_record(
    *,
    actor: User,
    client: Client,
    recipient: str,
    purpose: str,
    covers_psychotherapy_notes: bool,
    covers_other: str,
    signed_on: date | None,
    expires_on: date | None,
) -> Authorization:
    """Record a client's signed authorization. One covering psychotherapy notes covers nothing
    else, and a general release cannot be marked as covering them (SEC-17)."""
    client = client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_WRITE)
    errors: dict[str, list[str]] = {}
    if not recipient.strip():
        errors["recipient"] = ["Say to whom the client authorizes the disclosure."]
    if not purpose.strip():
        errors["purpose"] = ["Give the purpose the client authorized."]
    if covers_psychotherapy_notes and covers_other.strip():
        errors["covers_other"] = [
            "An authorization for psychotherapy notes cannot cover anything else (it may not "
            "be combined with another authorization, 45 CFR 164.508(b)(3)(ii)). Record the "
            "other release separately."
        ]
    elif not covers_psychotherapy_notes and not covers_other.strip():
        errors["covers_other"] = ["Say what information the release covers."]
    today = timezone.localdate()
    if signed_on is None:
        errors["signed_on"] = ["Give the date the client signed."]
    elif signed_on > today:
        errors["signed_on"] = ["The client cannot have signed in the future."]
    if expires_on is None:
        errors["expires_on"] = ["Give the expiry date or event's date."]
    elif signed_on is not None and expires_on < signed_on:
        errors["expires_on"] = ["It must expire after it was signed."]
    if errors:
        raise ValidationError(errors)
    assert signed_on is not None and expires_on is not None
    with transaction.atomic():
        authorization = Authorization.objects.create(
            client=client,
            recipient=recipient.strip(),
            purpose=purpose.strip(),
            covers_psychotherapy_notes=covers_psychotherapy_notes,
            covers_other="" if covers_psychotherapy_notes else covers_other.strip(),
            signed_on=signed_on,
            expires_on=expires_on,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=authorization,
            detail={"psychotherapy_notes": covers_psychotherapy_notes},
        )
    return authorization


def authorization_revoke(*, actor: User, authorization: Authorization) -> Authorization:
    """The client revoked it: later disclosures are refused; earlier ones stand."""
    client_for(actor=actor, client_id=authorization.client_id, capability=Capability.CHART_WRITE)
    now = timezone.now()
    with transaction.atomic():
        updated = Authorization.objects.filter(pk=authorization.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, updated_at=now
        )
        if updated != 1:
            raise ValidationError("This authorization was revoked already.")
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=authorization.client_id,
            target=authorization,
            detail={"revoked": True},
        )
    return Authorization.objects.get(pk=authorization.pk)


# ------------------------------------------------------------------ psychotherapy notes


@dataclass(frozen=True)
class PsychotherapyNoteRelease:
    """What the author hands over, and the accounting row written for it."""

    note: Note
    disclosure: Disclosure
    part2: Part2Disclosure | None = None  # a Part 2 note: its 42 CFR 2.32 notice and scope


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _basis(
    note: Note,
    recipient: str,
    authorization: Authorization | None,
    exception: str | None,
    reason_text: str,
) -> str:
    """The purpose or legal basis for the accounting, or ``DisclosureRefused``."""
    today = timezone.localdate()
    if authorization is not None:
        if authorization.client_id != note.client_id:
            raise DisclosureRefused({"authorization": ["Choose an authorization of this client."]})
        if not authorization.covers_psychotherapy_notes:
            raise DisclosureRefused(
                {
                    "authorization": [
                        "A general release does not cover psychotherapy notes: the client must "
                        "sign an authorization for psychotherapy notes only (SEC-17)."
                    ]
                }
            )
        if not authorization.is_valid_on(today):
            raise DisclosureRefused(
                {"authorization": ["This authorization is revoked, expired or not yet valid."]}
            )
        if not _same(authorization.recipient, recipient):
            raise DisclosureRefused(
                {
                    "recipient": [
                        f"The authorization names {authorization.recipient}, not this recipient."
                    ]
                }
            )
        return (
            f"Authorization {authorization.pk} for psychotherapy notes, signed "
            f"{authorization.signed_on:%Y-%m-%d}: {authorization.purpose}"
        )
    if exception:
        if exception not in PsychotherapyNoteException.values:
            raise DisclosureRefused({"exception": ["Choose one of the listed exceptions."]})
        problem = reason_problem(reason_text)
        if problem:
            raise DisclosureRefused({"reason_text": [f"Explain {problem}."]})
        label = PsychotherapyNoteException(exception).label
        return f"{label} [{exception}]: {reason_text.strip()}"
    raise DisclosureRefused(
        "A psychotherapy note is disclosed only with the client's authorization for "
        "psychotherapy notes, or under one of the listed exceptions with a reason (SEC-17)."
    )


def psychotherapy_note_disclose(
    *,
    actor: User,
    note: Note,
    recipient: str,
    authorization: Authorization | None = None,
    exception: str | None = None,
    reason_text: str = "",
) -> PsychotherapyNoteRelease:
    """Release a signed psychotherapy note by its author to ``recipient`` (SEC-17).

    Refused (``DisclosureRefused``, audited) without a valid psychotherapy-note authorization
    for this client and recipient or an exception code with a reason; allowed, it writes the
    accounting row and an export audit event in one transaction.
    """
    client_for(actor=actor, client_id=note.client_id, capability=Capability.CHART_READ)
    if not note.is_psychotherapy or note.author_id != actor.pk:
        raise NoteNotFound
    if not note.is_signed or note.in_error:
        raise ValidationError("Only a signed psychotherapy note can be disclosed.")
    recipient = recipient.strip() or (authorization.recipient if authorization else "")
    if not recipient:
        raise ValidationError({"recipient": ["Say to whom the note goes."]})
    now = timezone.now()
    part2: Part2Ground | None = None
    try:
        purpose = _basis(note, recipient, authorization, exception, reason_text)
        if note.part2_program_id is not None:
            part2 = counseling_notes_basis(note=note, recipient=recipient, moment=now)
    except (DisclosureRefused, Part2Refused) as refused:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.EXPORT,
                client=note.client_id,
                target=note,
                outcome=AuditOutcome.DENIED,
                severity=AuditSeverity.HIGH,
                detail={
                    "category": "PSYTHPN",
                    "authorization": authorization.pk if authorization else None,
                    "exception": exception or "",
                    "part2": note.part2_program_id is not None,
                },
            )
        if isinstance(refused, DisclosureRefused):
            raise
        raise DisclosureRefused(refused.message_dict) from refused
    record: Part2Disclosure | None = None
    with transaction.atomic():
        row = disclosure_write(
            actor=actor,
            client_id=note.client_id,
            disclosed_at=now,
            recipient=recipient[:200],
            description=(
                f"Psychotherapy note written {timezone.localtime(note.created_at):%Y-%m-%d}, "
                f"signed {timezone.localtime(note.signed_at):%Y-%m-%d}, as a PDF"
            ),
            purpose=purpose if part2 is None else f"{purpose} (42 CFR Part 2: {part2.summary})",
            source_type=DisclosureSource.PSYCHOTHERAPY_NOTE,
            source_id=note.pk,
        )
        if part2 is not None and note.part2_program_id is not None:
            assert part2.consent is not None
            record = part2_record_write(
                actor=actor,
                disclosure=row,
                program_id=note.part2_program_id,
                basis=part2,
                purpose=part2.consent.purpose,
                includes_counseling_notes=True,
            )
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            client=note.client_id,
            target=note,
            severity=AuditSeverity.HIGH,
            detail={
                "category": "PSYTHPN",
                "disclosure": row.pk,
                "authorization": authorization.pk if authorization else None,
                "exception": exception or "",
            },
        )
    return PsychotherapyNoteRelease(note=note, disclosure=row, part2=record)


def valid_psychotherapy_authorizations(*, client: Client) -> list[Authorization]:
    """The client's unrevoked, unexpired authorizations for psychotherapy notes."""
    today = timezone.localdate()
    return list(
        PsychotherapyNoteAuthorization.objects.filter(
            client=client, revoked_at__isnull=True, signed_on__lte=today, expires_on__gte=today
        )
    )
