"""Writing the accounting of disclosures (SEC-29; 45 CFR 164.528).

Rows are append-only in the database. A row is written by the workflow that disclosed (signing
a mandated report, handing over a psychotherapy note) in that workflow's transaction, or by a
clinician recording a disclosure made outside the system (a release sent by fax). A mistake is
corrected by a new row that names the row it corrects and why; the old row stays.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import client_for
from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.disclosures.models import Disclosure, DisclosureSource
from alliance.disclosures.selectors import disclosure_for_correction
from alliance.records.reasons import reason_clean
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


def disclosure_write(
    *,
    actor: User,
    client_id: int,
    disclosed_at: datetime,
    recipient: str,
    description: str,
    purpose: str,
    source_type: str,
    source_id: int | None = None,
    corrects: Disclosure | None = None,
    correction_reason: str = "",
) -> Disclosure:
    """Append one row, audited, inside the caller's transaction (the caller checked access)."""
    with transaction.atomic():
        row = Disclosure.objects.create(
            client_id=client_id,
            disclosed_at=disclosed_at,
            by_user=actor,
            recipient=recipient,
            description=description,
            purpose=purpose,
            source_type=source_type,
            source_id=source_id,
            corrects=corrects,
            correction_reason=correction_reason,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client_id,
            target=row,
            severity=AuditSeverity.HIGH,
            detail={
                "source": source_type,
                "source_id": source_id,
                "corrects": corrects.pk if corrects else None,
            },
        )
    return row


def disclosure_fields_check(
    disclosed_at: datetime | None, recipient: str, description: str, purpose: str
) -> None:
    """``ValidationError`` by field unless an entry has when, to whom, what and why."""
    errors: dict[str, list[str]] = {}
    if disclosed_at is None:
        errors["disclosed_at"] = ["Give the date and time of the disclosure."]
    elif disclosed_at > timezone.now():
        errors["disclosed_at"] = ["A disclosure cannot be recorded before it happens."]
    for name, value, message in (
        ("recipient", recipient, "Say to whom the information went."),
        ("description", description, "Describe what was disclosed."),
        ("purpose", purpose, "Give the purpose or the legal basis."),
    ):
        if not value.strip():
            errors[name] = [message]
    if errors:
        raise ValidationError(errors)


def disclosure_record(
    *,
    actor: User,
    client: Client,
    disclosed_at: datetime | None,
    recipient: str,
    description: str,
    purpose: str,
) -> Disclosure:
    """A disclosure made outside the system, recorded by a clinician in the client's care."""
    client = client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_WRITE)
    disclosure_fields_check(disclosed_at, recipient, description, purpose)
    assert disclosed_at is not None
    return disclosure_write(
        actor=actor,
        client_id=client.pk,
        disclosed_at=disclosed_at,
        recipient=recipient.strip(),
        description=description.strip(),
        purpose=purpose.strip(),
        source_type=DisclosureSource.RECORDED,
    )


def disclosure_correct(
    *,
    actor: User,
    disclosure: Disclosure,
    disclosed_at: datetime | None,
    recipient: str,
    description: str,
    purpose: str,
    reason: str,
) -> Disclosure:
    """A corrected entry appended after ``disclosure``, which stays as it was (SEC-29).

    By whoever recorded the row, or the privacy officer; a row is corrected once (correct the
    correction to change it again).
    """
    current = disclosure_for_correction(actor=actor, disclosure_id=disclosure.pk)
    if current.corrections.exists():
        raise ValidationError("This entry was corrected already: correct the newest entry.")
    disclosure_fields_check(disclosed_at, recipient, description, purpose)
    reason_clean(reason)
    assert disclosed_at is not None
    return disclosure_write(
        actor=actor,
        client_id=current.client_id,
        disclosed_at=disclosed_at,
        recipient=recipient.strip(),
        description=description.strip(),
        purpose=purpose.strip(),
        source_type=current.source_type,
        source_id=current.source_id,
        corrects=current,
        correction_reason=reason.strip(),
    )
