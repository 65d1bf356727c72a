"""Writes to care teams, restrictions and break-the-glass grants (STYLE habit 2)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.models import (
    AccessRestriction,
    BreakGlassGrant,
    BreakGlassReason,
    CareTeamMember,
    RestrictionReason,
)
from alliance.access.policy import (
    clients_visible_to,
    forget_decisions,
    is_restricted,
    require_capability,
)
from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.disclosures.part2 import part2_emergency_record
from alliance.records.reasons import EMERGENCY_REASON_LENGTH, reason_problem
from alliance.staff.capabilities import CLINICAL_CAPABILITIES, Capability
from alliance.staff.models import User
from alliance.staff.stepup import StepUpFailed, verify_password

F = TypeVar("F", bound=Callable[..., Any])


def _changes_access(service: F) -> F:
    """The policy's kept answers of this request are dropped once ``service`` has run."""

    @functools.wraps(service)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return service(*args, **kwargs)
        finally:
            forget_decisions()

    return wrapper  # type: ignore[return-value]


@_changes_access
def care_team_add(
    *, actor: User, client: Client, staff: User, role: str, start_on: date | None = None
) -> CareTeamMember:
    client = clients_visible_to(actor=actor, capability=Capability.CARE_TEAM_EDIT).get(pk=client.pk)
    if not staff.is_active:
        raise ValidationError({"staff": ["This account is not active."]})
    if not CLINICAL_CAPABILITIES & staff.capabilities():
        raise ValidationError(
            {"staff": ["Only clinical staff can join a care team (not front desk, intake or IT)."]}
        )
    today = timezone.localdate()
    if CareTeamMember.objects.filter(
        CareTeamMember.active_q(today), client=client, staff=staff, role=role
    ).exists():
        raise ValidationError({"staff": ["Already on the care team in this role."]})
    with transaction.atomic():
        member = CareTeamMember.objects.create(
            client=client, staff=staff, role=role, start_on=start_on or today
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=member,
            purpose=AuditPurpose.OPERATIONS,
            detail={"staff_id": staff.pk, "role": role},
        )
    return member


@_changes_access
def care_team_end(
    *, actor: User, member: CareTeamMember, end_on: date | None = None
) -> CareTeamMember:
    """End a membership. Access ends with it, on the member's next request (SEC-07).

    Without ``end_on`` it ends today; a membership that has not started yet is cancelled (it
    ends on the day it would have started, so it never opens the record). A membership that
    already ended keeps its end date: the care-team history is not rewritten.
    """
    clients_visible_to(actor=actor, capability=Capability.CARE_TEAM_EDIT).get(pk=member.client_id)
    today = timezone.localdate()
    if member.end_on is not None and member.end_on <= today:
        raise ValidationError(
            {"end_on": [f"This membership already ended on {member.end_on:%Y-%m-%d}."]}
        )
    end = end_on or max(today, member.start_on)
    if end < member.start_on:
        raise ValidationError({"end_on": ["The end cannot be before the start."]})
    with transaction.atomic():
        updated = CareTeamMember.objects.filter(pk=member.pk, end_on=member.end_on).update(
            end_on=end, updated_at=timezone.now()
        )
        if updated != 1:
            raise ValidationError({"end_on": ["Someone else changed this membership; reload."]})
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=member.client_id,
            target=member,
            purpose=AuditPurpose.OPERATIONS,
            detail={"fields": ["end_on"], "staff_id": member.staff_id},
        )
    member.refresh_from_db()
    return member


@_changes_access
def restriction_add(
    *, actor: User, client: Client, staff: User, reason: str, note: str = ""
) -> AccessRestriction:
    """Deny one staff member this client's record (SEC-13); the privacy officer decides.

    It takes effect on that person's next request, over care team, supervision and any
    emergency access.
    """
    require_capability(actor, Capability.AUDIT_REVIEW)
    if reason not in RestrictionReason.values:
        raise ValidationError({"reason": ["Choose the reason for the restriction."]})
    if staff.pk == actor.pk:
        raise ValidationError({"staff": ["Another privacy officer must restrict your access."]})
    if AccessRestriction.objects.filter(
        client=client, staff=staff, lifted_at__isnull=True
    ).exists():
        raise ValidationError({"staff": ["This person is already restricted from this record."]})
    with transaction.atomic():
        restriction = AccessRestriction.objects.create(
            client=client, staff=staff, reason=reason, note=note.strip(), created_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=restriction,
            purpose=AuditPurpose.OVERSIGHT,
            severity=AuditSeverity.HIGH,
            detail={"staff_id": staff.pk, "reason": reason},
        )
    return restriction


@_changes_access
def restriction_lift(*, actor: User, restriction: AccessRestriction) -> AccessRestriction:
    """End a restriction; the row stays as history of who was kept out and when."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    now = timezone.now()
    with transaction.atomic():
        lifted = AccessRestriction.objects.filter(pk=restriction.pk, lifted_at__isnull=True).update(
            lifted_at=now, updated_at=now
        )
        if lifted != 1:
            raise ValidationError({"restriction": ["This restriction was already lifted."]})
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=restriction.client_id,
            target=restriction,
            purpose=AuditPurpose.OVERSIGHT,
            severity=AuditSeverity.HIGH,
            detail={"fields": ["lifted_at"], "staff_id": restriction.staff_id},
        )
    restriction.refresh_from_db()
    return restriction


class BreakGlassRefused(Exception):
    """Emergency access was not granted; ``field`` says which input to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@_changes_access
def break_glass_start(
    *, actor: User, mrn: str, reason_code: str, reason_text: str, password: str
) -> BreakGlassGrant:
    """Open a chart outside the actor's care teams for a limited time (SEC-22).

    Needs ``BREAK_GLASS``, a reason code and a written reason, and the actor's password again
    (step-up, SEC-08). A restriction still wins. Every attempt is audited with high severity.
    """
    require_capability(actor, Capability.BREAK_GLASS)

    def refuse(field: str, message: str, client: Client | None = None) -> BreakGlassRefused:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.BREAK_GLASS_DENIED,
                client=client,
                purpose=AuditPurpose.EMERGENCY,
                outcome=AuditOutcome.DENIED,
                severity=AuditSeverity.HIGH,
                detail={"field": field},
            )
        return BreakGlassRefused(field, message)

    if reason_code not in BreakGlassReason.values:
        raise BreakGlassRefused("reason_code", "Choose a reason.")
    problem = reason_problem(reason_text, minimum=EMERGENCY_REASON_LENGTH)
    if problem:
        raise BreakGlassRefused("reason_text", f"Describe the emergency {problem}.")
    try:
        verify_password(actor, password)  # counts towards the sign-in lockout (SEC-04)
    except StepUpFailed as failed:
        refused = refuse("password", "That password is not correct.")
        if failed.locked:
            raise  # the account is locked: the page ends the session
        raise refused from failed
    client = Client.objects.filter(mrn=mrn.strip().replace("-", "")).first()
    if client is None or is_restricted(actor=actor, client=client):
        raise refuse("mrn", "No chart can be opened for that MRN.", client)
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            actor=actor,
            client=client,
            reason_code=reason_code,
            reason_text=reason_text.strip(),
            granted_at=now,
            expires_at=now + settings.BREAK_GLASS_DURATION,
        )
        audit_record(
            actor=actor,
            action=AuditAction.BREAK_GLASS,
            client=client,
            target=grant,
            purpose=AuditPurpose.EMERGENCY,
            severity=AuditSeverity.HIGH,
            detail={"reason_code": reason_code, "expires_at": grant.expires_at.isoformat()},
        )
        # A medical emergency on a client of a Part 2 program opens its records: a disclosure
        # under 42 CFR 2.51, documented at once, with the grant (disclosures.part2).
        part2_emergency_record(grant=grant)
    return grant


def break_glass_review(*, actor: User, grant: BreakGlassGrant, note: str) -> BreakGlassGrant:
    """The privacy officer marks an emergency access reviewed; it leaves the queue."""
    require_capability(actor, Capability.AUDIT_REVIEW)
    if grant.reviewed_at is not None:
        raise ValidationError({"note": ["This emergency access was already reviewed."]})
    if not note.strip():
        raise ValidationError({"note": ["Write what you found, e.g. 'justified: crisis call'."]})
    if grant.actor_id == actor.pk:
        raise ValidationError({"note": ["Someone else must review your own emergency access."]})
    now = timezone.now()
    with transaction.atomic():
        BreakGlassGrant.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
            reviewed_by=actor, reviewed_at=now, review_note=note.strip(), updated_at=now
        )
        audit_record(
            actor=actor,
            action=AuditAction.BREAK_GLASS_REVIEWED,
            client=grant.client_id,
            target=grant,
            purpose=AuditPurpose.OVERSIGHT,
        )
    grant.refresh_from_db()
    return grant
