"""Risk flags: set, changed, confirmed or cleared only by a signed risk assessment or a
documented flag review (reason and reviewer), each time with a history event (append-only).

``flag_apply`` is the one place a flag is written; the database refuses an update of a flag
that does not point at a newer event (``safety.guards``), so a flag cannot change silently.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import has_capability
from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.records.reasons import reason_problem
from alliance.safety.base import SafetyRecordNotFound, client_with
from alliance.safety.models import (
    FlagChange,
    FlagKind,
    RiskAssessment,
    RiskFlag,
    RiskFlagEvent,
    RiskLevel,
)
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

LABEL_MAX = 80


def flag_apply(
    *,
    actor: User,
    client: Client,
    kind: str,
    label: str = "",
    level: str,
    review_on: date | None,
    active: bool,
    at: datetime,
    assessment: RiskAssessment | None = None,
    reason: str = "",
) -> RiskFlagEvent:
    """Write one flag state and its history event (inside the caller's transaction)."""
    flag = (
        RiskFlag.objects.select_for_update().filter(client=client, kind=kind, label=label).first()
    )
    if flag is None:
        change = FlagChange.SET
        flag = RiskFlag.objects.create(
            client=client,
            kind=kind,
            label=label,
            level=level,
            review_on=review_on or timezone.localdate(),
            active=active,
        )
    elif not active:
        change = FlagChange.CLEARED
    elif not flag.active:
        change = FlagChange.SET
    elif flag.level == level:
        change = FlagChange.CONFIRMED
    else:
        change = FlagChange.CHANGED
    event = RiskFlagEvent.objects.create(
        flag=flag,
        change=change,
        level=level,
        review_on=review_on,
        active=active,
        assessment=assessment,
        reason=reason,
        actor=actor,
        at=at,
    )
    RiskFlag.objects.filter(pk=flag.pk).update(
        level=level,
        review_on=review_on or flag.review_on,
        active=active,
        last_event=event,
        updated_at=at,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE if change != FlagChange.SET else AuditAction.CREATE,
        client=client,
        target=flag,
        severity=AuditSeverity.HIGH,
        detail={
            "flag": kind,
            "change": str(change),
            "level": level,
            "assessment": assessment.pk if assessment else None,
        },
    )
    return event


def _review_checks(
    actor: User, level: str, kind: str, review_on: date | None, clear: bool, reason: str
) -> None:
    if not has_capability(actor, Capability.RISK_ASSESS):
        raise ValidationError("Your scope of practice does not include reviewing risk flags.")
    errors: dict[str, list[str]] = {}
    problem = reason_problem(reason)
    if problem:
        errors["reason"] = [f"Document the review: give the reason {problem}."]
    if not clear:
        if kind != FlagKind.OTHER and level not in RiskLevel.values:
            errors["level"] = ["Choose the risk level."]
        if review_on is None:
            errors["review_on"] = ["Give the date by which the flag must be reviewed."]
        elif review_on < timezone.localdate():
            errors["review_on"] = ["The review date cannot be in the past."]
    if errors:
        raise ValidationError(errors)


def risk_flag_review(
    *,
    actor: User,
    flag: RiskFlag,
    level: str,
    review_on: date | None,
    clear: bool,
    reason: str,
) -> RiskFlagEvent:
    """A documented review of an active flag: keep it (new level or date) or clear it."""
    client = client_with(actor, flag.client_id, Capability.CHART_WRITE)
    if flag.client_id != client.pk or not flag.active:
        raise SafetyRecordNotFound
    _review_checks(actor, level, flag.kind, review_on, clear, reason)
    with transaction.atomic():
        return flag_apply(
            actor=actor,
            client=client,
            kind=flag.kind,
            label=flag.label,
            level="" if flag.kind == FlagKind.OTHER else (flag.level if clear else level),
            review_on=flag.review_on if clear else review_on,
            active=not clear,
            at=timezone.now(),
            reason=reason.strip(),
        )


def risk_flag_add(
    *,
    actor: User,
    client: Client,
    kind: str,
    label: str,
    level: str,
    review_on: date | None,
    reason: str,
) -> RiskFlagEvent:
    """Raise a flag outside an assessment, documented: a clinician-defined flag (its own label),
    or a violence or suicide flag that is not active now."""
    client = client_with(actor, client, Capability.CHART_WRITE)
    label = " ".join(label.split())[:LABEL_MAX] if kind == FlagKind.OTHER else ""
    errors: dict[str, list[str]] = {}
    if kind not in FlagKind.values:
        errors["kind"] = ["Choose the kind of flag."]
    elif kind == FlagKind.OTHER and not label:
        errors["label"] = ["Name the flag, e.g. 'Do not see alone'."]
    if errors:
        raise ValidationError(errors)
    _review_checks(actor, level, kind, review_on, False, reason)
    if RiskFlag.objects.filter(client=client, kind=kind, label=label, active=True).exists():
        raise ValidationError(
            {"kind": ["This flag is already active: review it instead of adding it again."]}
        )
    with transaction.atomic():
        return flag_apply(
            actor=actor,
            client=client,
            kind=kind,
            label=label,
            level="" if kind == FlagKind.OTHER else level,
            review_on=review_on,
            active=True,
            at=timezone.now(),
            reason=reason.strip(),
        )
