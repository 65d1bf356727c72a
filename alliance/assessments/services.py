"""Giving questionnaires, self-completion links and critical-item alerts (STYLE habit 2).

Totals are always recomputed here by the instrument library; a total sent in is kept only to
report a mismatch. A critical answer raises its alert in the same transaction as the answers,
and even when another answer is invalid (safety first: the alert is saved on its own then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance import instruments
from alliance.access import part2
from alliance.access.delegation import DELEGATION_ENDED, delegation_alive
from alliance.access.policy import client_for
from alliance.assessments.fhir import questionnaire_response
from alliance.assessments.links import LINK_CAPABILITY, link_issue, token_hash
from alliance.assessments.models import (
    Administration,
    AdministrationMode,
    AlertAction,
    CriticalAlert,
    SelfCompletionLink,
)
from alliance.assessments.schedules import due_measures_satisfy
from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

SELF_REPORT_ACTOR = "client-self-report"


class AnswersInvalid(Exception):
    """The answers could not be scored. ``alert`` is set when a critical answer was still seen."""

    def __init__(self, error: instruments.InstrumentInputError, alert: CriticalAlert | None):
        super().__init__(error.message)
        self.error = error
        self.alert = alert


class LinkUnusable(Exception):
    """Unknown, expired, revoked, already used, or its creator's access ended: deliberately one
    answer for all."""


@dataclass(frozen=True)
class Recorded:
    administration: Administration
    alert: CriticalAlert | None


def _canonical(code: str) -> str:
    panel = instruments.get(code).loinc_panel
    return f"http://loinc.org/q/{panel}" if panel else f"urn:alliance:questionnaire:{code}"


def _writable(actor: User, client: Client) -> Client:
    """The client, if the actor may write to the chart (ClientNotFound, a 404, otherwise)."""
    return client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_WRITE)


def _alert_raise(
    *,
    client: Client,
    instrument: str,
    flags: tuple[str, ...],
    administration: Administration | None,
    actor: User | None,
    link: SelfCompletionLink | None = None,
) -> CriticalAlert:
    alert = CriticalAlert.objects.create(
        client=client,
        administration=administration,
        link=link,
        instrument=instrument,
        flags=list(flags),
        raised_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        actor_username="" if actor else SELF_REPORT_ACTOR,
        action=AuditAction.CREATE,
        client=client,
        target=alert,
        severity=AuditSeverity.HIGH,
        detail={"flags": list(flags), "instrument": instrument},
    )
    return alert


def administration_record(
    *,
    actor: User | None,
    client: Client,
    instrument: str,
    answers: dict[str, Any],
    mode: str = AdministrationMode.IN_SESSION,
    submitted_total: float | None = None,
    link: SelfCompletionLink | None = None,
    completed_at: datetime | None = None,
) -> Recorded:
    """Score and store one completed questionnaire; raise its alert if an answer is critical.

    ``actor`` is the clinician entering answers in session, or None for a client's own answers
    through a link (the link is then the authority). ``completed_at`` dates a paper form
    entered later; it cannot be in the future.
    """
    now = timezone.now()
    if completed_at is not None and completed_at > now:
        raise ValidationError({"completed_at": ["The date given cannot be in the future."]})
    if actor is not None:
        _writable(actor, client)
    try:
        result = instruments.score(instrument, answers)
    except instruments.InstrumentInputError as error:
        alert = _alert_of_link(link)
        if error.critical_flags and alert is None:
            with transaction.atomic():
                alert = _alert_raise(
                    client=client,
                    instrument=instrument,
                    flags=tuple(error.critical_flags),
                    administration=None,
                    actor=actor,
                    link=link,
                )
        raise AnswersInvalid(error, alert) from error
    when = completed_at or now
    with transaction.atomic():
        if link is not None:
            claimed = SelfCompletionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                used_at=now, updated_at=now
            )
            if claimed != 1:
                raise LinkUnusable
        administration = Administration.objects.create(
            client=client,
            instrument=instrument,
            mode=mode,
            completed_at=when,
            entered_by=actor,
            part2_program_id=_part2_program(actor, link, client),
            questionnaire_response=questionnaire_response(
                client=client,
                instrument=instrument,
                canonical=_canonical(instrument),
                answers=answers,
                authored=when,
            ),
            answers=answers,
            item_scores=dict(result.item_scores),
            total=result.total,
            severity=result.severity or "",
            critical_flags=list(result.critical_flags),
            extras=_jsonable(result.extras),
            submitted_total=submitted_total,
        )
        if link is not None:
            SelfCompletionLink.objects.filter(pk=link.pk).update(administration=administration)
        due_measures_satisfy(administration=administration)
        audit_record(
            actor=actor,
            actor_username="" if actor else SELF_REPORT_ACTOR,
            action=AuditAction.CREATE,
            client=client,
            target=administration,
            detail={
                "instrument": instrument,
                "mode": mode,
                "total_mismatch": administration.total_mismatch,
            },
        )
        alert = _alert_of_link(link)
        if alert is not None:
            # Raised when an earlier, invalid attempt on this link showed the critical answer:
            # the care team already has it; it now points at the answers that were saved.
            CriticalAlert.objects.filter(pk=alert.pk, administration__isnull=True).update(
                administration=administration, updated_at=now
            )
        elif result.critical_flags:
            alert = _alert_raise(
                client=client,
                instrument=instrument,
                flags=tuple(result.critical_flags),
                administration=administration,
                actor=actor,
                link=link,
            )
    return Recorded(administration, alert)


def _part2_program(
    actor: User | None, link: SelfCompletionLink | None, client: Client
) -> int | None:
    """The Part 2 program the answers are recorded in (SEC-19): the clinician's entering them,
    or, for a client's own answers, the one of the clinician who sent the link."""
    author = actor if actor is not None else (link.created_by if link is not None else None)
    return part2.program_for_write(author, client) if author is not None else None


def _alert_of_link(link: SelfCompletionLink | None) -> CriticalAlert | None:
    """The alert an earlier attempt on this link raised, if any (one link, one alert)."""
    if link is None:
        return None
    return CriticalAlert.objects.filter(link=link).first()


def _jsonable(extras: dict[str, Any]) -> dict[str, Any]:
    """Extras as JSON values (tuples become lists; anything odd becomes its text)."""
    import json

    return dict(json.loads(json.dumps(extras, default=str)))


def link_create(
    *, actor: User, client: Client, instrument: str, kiosk: bool = False
) -> tuple[SelfCompletionLink, str]:
    """A single-use link for the client; returns the link and the token (shown once).

    It acts for ``actor`` and lasts no longer than their access to the client (``link_open``);
    its creation is audited with the purpose of that access (``BTG`` under a grant).
    """
    client_for(actor=actor, client_id=client.pk, capability=LINK_CAPABILITY)
    return link_issue(client=client, instrument=instrument, issued_by=actor, kiosk=kiosk)


def link_revoke(*, actor: User, link: SelfCompletionLink) -> SelfCompletionLink:
    """Withdraw a link the client has not used: it ends now.

    A revoked link is an expired one (its ``expires_at`` is brought forward); who revoked it,
    and when, is in the audit trail.
    """
    client_for(actor=actor, client_id=link.client_id, capability=LINK_CAPABILITY)
    now = timezone.now()
    with transaction.atomic():
        SelfCompletionLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now, updated_at=now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=link.client_id,
            target=link,
            detail={"revoked": True},
        )
    link.refresh_from_db()
    return link


def _link_refusal(link: SelfCompletionLink, moment: datetime) -> str:
    """Why the client may not use ``link`` now ("" when they may)."""
    if link.used_at is not None:
        return "used"
    if link.expires_at <= moment:
        return "revoked or expired"
    if not delegation_alive(
        creator=link.created_by, client=link.client, capability=LINK_CAPABILITY
    ):
        return DELEGATION_ENDED
    return ""


def link_open(*, token: str, now: datetime | None = None) -> SelfCompletionLink:
    """The link of ``token`` while the client may use it, else ``LinkUnusable``.

    Refused when unknown, used, expired or revoked, or when its creator's access to the client
    has ended (issue 14 class 2). The refusal of a known link is audited (SEC-23); opening a
    usable one writes nothing (link previews and mail scanners open links too).
    """
    link = (
        SelfCompletionLink.objects.filter(token_hash=token_hash(token))
        .select_related("client", "created_by")
        .first()
    )
    if link is None:
        raise LinkUnusable
    refused = _link_refusal(link, now or timezone.now())
    if refused:
        with transaction.atomic():
            audit_record(
                actor=None,
                actor_username=SELF_REPORT_ACTOR,
                action=AuditAction.RECORD_VIEW,
                client=link.client_id,
                target=link,
                outcome=AuditOutcome.DENIED,
                detail={"refused": refused},
            )
        raise LinkUnusable
    return link


def link_submit(*, token: str, answers: dict[str, Any]) -> Recorded:
    """The client's own answers through a link; the link is spent when they are saved."""
    link = link_open(token=token)
    mode = AdministrationMode.KIOSK if link.kiosk else AdministrationMode.SELF_COMPLETION
    return administration_record(
        actor=None,
        client=link.client,
        instrument=link.instrument,
        answers=answers,
        mode=mode,
        link=link,
    )


def alert_acknowledge(
    *, actor: User, alert: CriticalAlert, action: str, note: str
) -> CriticalAlert:
    """Close an alert with the action taken; 'other' needs a description."""
    _writable(actor, alert.client)
    errors: dict[str, list[str]] = {}
    if action not in AlertAction.values:
        errors["action"] = ["Choose what you did."]
    if action == AlertAction.OTHER and not note.strip():
        errors["note"] = ["Describe what you did."]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        done = CriticalAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now,
            acknowledged_by=actor,
            action=action,
            action_note=note.strip(),
            updated_at=now,
        )
        if done != 1:
            raise ValidationError({"action": ["Someone already acknowledged this alert."]})
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=alert.client,
            target=alert,
            severity=AuditSeverity.HIGH,
            detail={"fields": ["acknowledged_at", "action"], "action": action},
        )
    alert.refresh_from_db()
    return alert


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Mark alerts left unacknowledged past the limit as escalated (supervisors, on-call).

    Each alert is escalated once, however many runs overlap or repeat a run cut short (issue
    15): the mark is a conditional UPDATE (still unescalated, still unacknowledged) in one
    transaction with its audit row, so a run that loses the race, or finds the alert
    acknowledged since it read the list, changes and records nothing.
    """
    moment = now or timezone.now()
    due = CriticalAlert.objects.filter(
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        raised_at__lte=moment - settings.ALERT_ESCALATE_AFTER,
    )
    count = 0
    for alert in due:
        with transaction.atomic():
            if CriticalAlert.objects.filter(
                pk=alert.pk, escalated_at__isnull=True, acknowledged_at__isnull=True
            ).update(escalated_at=moment, updated_at=moment):
                audit_record(
                    actor=None,
                    actor_username="system",
                    action=AuditAction.CHANGE,
                    client=alert.client_id,
                    target=alert,
                    purpose=AuditPurpose.SYSTEM,
                    severity=AuditSeverity.HIGH,
                    detail={"fields": ["escalated_at"]},
                )
                count += 1
    return count
