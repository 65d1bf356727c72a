"""Writing risk assessments (STYLE habit 2): draft, save, sign, addendum, entered in error.

A draft is the author's alone. The lifecycle is the records kernel's (``records.lifecycle``):
saving is an atomic ``UPDATE … WHERE version = n`` (REL-04) and writes a revision in its
transaction (REL-03). Signing needs ``RISK_ASSESS`` and ``NOTE_SIGN``
and the password again (SEC-08); it snapshots the screener results, records the SHA-256, and
sets the client's suicide (and, if assessed, violence) risk flags in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import has_capability
from alliance.assessments.models import CriticalAlert
from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.records import lifecycle
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.safety.base import SafetyRecordNotFound, client_with
from alliance.safety.flags import flag_apply
from alliance.safety.models import FlagKind, RiskAssessment, RiskAssessmentAddendum, RiskLevel
from alliance.safety.screeners import screeners_snapshot
from alliance.safety.signing import RISK_ASSESSMENT, reload_assessment
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up

# The sections of the assessment, in the order a clinician works through them.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("risk_factors", "Risk factors", "History, current stressors, symptoms, recent behavior."),
    ("warning_signs", "Warning signs", "What is happening now that signals acute risk."),
    ("protective_factors", "Protective factors", "Reasons for living, supports, engagement."),
    (
        "lethal_means",
        "Access to lethal means",
        "Firearms, stockpiled medications and other means: what the client has access to.",
    ),
    (
        "suicide_rationale",
        "Rationale for the suicide risk level",
        "Why this level: how the factors above weigh against each other.",
    ),
    (
        "violence_rationale",
        "Violence risk and rationale",
        "Threats, history of violence, identifiable targets; leave empty if not assessed.",
    ),
    ("plan", "Plan", "Safety plan, means counseling, contacts, follow-up, level of care."),
)
SECTION_KEYS = tuple(key for key, _label, _help in SECTIONS)
REQUIRED_FOR_SIGNING = (
    "risk_factors",
    "protective_factors",
    "lethal_means",
    "suicide_rationale",
    "plan",
)


@dataclass(frozen=True)
class Formulation:
    """The clinician's judgement: levels and when to look again."""

    suicide_risk: str = ""
    violence_risk: str = ""
    review_on: date | None = None


def _content(values: dict[str, Any]) -> dict[str, str]:
    return {key: str(values.get(key) or "").strip() for key in SECTION_KEYS}


def _formulation_check(formulation: Formulation) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("suicide_risk", "violence_risk"):
        value = getattr(formulation, field)
        if value and value not in RiskLevel.values:
            errors[field] = ["Choose one of the levels."]
    if errors:
        raise ValidationError(errors)


def _own(actor: User, assessment: RiskAssessment) -> None:
    if assessment.author_id != actor.pk:
        raise SafetyRecordNotFound


def risk_assessment_create(
    *,
    actor: User,
    client: Client,
    values: dict[str, Any],
    formulation: Formulation,
    alert: CriticalAlert | None = None,
) -> RiskAssessment:
    """A new draft (version 1) by the actor, possibly answering one of the client's alerts."""
    client = client_with(actor, client, Capability.CHART_WRITE)
    if alert is not None and alert.client_id != client.pk:
        raise SafetyRecordNotFound  # never link another client's alert (SEC-11)
    _formulation_check(formulation)
    now = timezone.now()
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            client=client,
            author=actor,
            alert=alert,
            content=_content(values),
            suicide_risk=formulation.suicide_risk,
            violence_risk=formulation.violence_risk,
            review_on=formulation.review_on,
        )
        RISK_ASSESSMENT.write_version(assessment, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=assessment,
            detail={"version": 1, "alert": alert.pk if alert else None},
        )
    return assessment


def risk_assessment_save(
    *,
    actor: User,
    assessment: RiskAssessment,
    values: dict[str, Any],
    formulation: Formulation,
    version: int,
) -> RiskAssessment:
    """Save the author's draft if ``version`` is still the saved one (else ``StaleDraft``)."""
    client_with(actor, assessment.client_id, Capability.CHART_WRITE)
    _own(actor, assessment)
    if not assessment.is_draft or assessment.in_error:
        raise DocumentLocked
    _formulation_check(formulation)
    content = _content(values)
    return lifecycle.document_save_draft(
        RISK_ASSESSMENT,
        actor=actor,
        document=assessment,
        lock=version,
        client_id=assessment.client_id,
        changes={
            "content": content,
            "suicide_risk": formulation.suicide_risk,
            "violence_risk": formulation.violence_risk,
            "review_on": formulation.review_on,
        },
        detail=lambda saved: {
            "sections": sorted(k for k in content if content[k] != assessment.content.get(k)),
            "version": saved.version,
        },
    )


def missing_for_signing(assessment: RiskAssessment) -> dict[str, list[str]]:
    labels = {key: label for key, label, _help in SECTIONS}
    errors = {
        key: [f"Fill in “{labels[key]}” before signing."]
        for key in REQUIRED_FOR_SIGNING
        if not assessment.content.get(key, "").strip()
    }
    if not assessment.suicide_risk:
        errors["suicide_risk"] = ["Give your formulation of the suicide risk."]
    if assessment.violence_risk and not assessment.content.get("violence_rationale", "").strip():
        errors["violence_rationale"] = ["Give the rationale for the violence risk level."]
    if assessment.review_on is None:
        errors["review_on"] = ["Give the date by which the risk must be reviewed."]
    elif assessment.review_on < timezone.localdate():
        errors["review_on"] = ["The review date cannot be in the past."]
    return errors


def risk_assessment_sign(
    *, actor: User, assessment: RiskAssessment, version: int, password: str
) -> RiskAssessment:
    """Sign the draft as it stands at ``version``; set the risk flags it formulates."""
    client = client_with(actor, assessment.client_id, Capability.CHART_WRITE)
    _own(actor, assessment)
    if not (
        has_capability(actor, Capability.RISK_ASSESS)
        and has_capability(actor, Capability.NOTE_SIGN)
    ):
        raise ValidationError("Your scope of practice does not include signing risk assessments.")
    if not assessment.is_draft or assessment.in_error:
        raise DocumentLocked
    step_up(actor, password, client_id=client.pk, target=assessment, step="sign")
    current = reload_assessment(assessment)
    if current.version != version:
        raise StaleDraft(current)
    missing = missing_for_signing(current)
    if missing:
        raise ValidationError(missing)
    with transaction.atomic():
        signed = lifecycle.document_sign(
            RISK_ASSESSMENT,
            actor=actor,
            document=current,
            lock=version,
            client_id=client.pk,
            changes={"screeners": screeners_snapshot(client_id=client.pk)},
            severity=AuditSeverity.HIGH,
        )
        now = signed.signed_at
        levels = [
            (FlagKind.SUICIDE, signed.suicide_risk),
            (FlagKind.VIOLENCE, signed.violence_risk),
        ]
        for kind, level in levels:
            if level:
                flag_apply(
                    actor=actor,
                    client=client,
                    kind=kind,
                    level=level,
                    review_on=signed.review_on,
                    active=True,
                    at=now,
                    assessment=signed,
                )
    return signed


def risk_addendum_add(
    *, actor: User, assessment: RiskAssessment, text: str, password: str
) -> RiskAssessmentAddendum:
    """Signed text added to a signed assessment: the only way to change what it says."""
    client = client_with(actor, assessment.client_id, Capability.CHART_WRITE)
    addendum: RiskAssessmentAddendum = lifecycle.addendum_add(
        RISK_ASSESSMENT,
        actor=actor,
        document=assessment,
        text=text,
        password=password,
        client_id=client.pk,
    )
    return addendum


def risk_assessment_mark_entered_in_error(
    *, actor: User, assessment: RiskAssessment, reason: str, password: str
) -> RiskAssessment:
    """The author withdraws an assessment written in error; it is never deleted. Flags it set
    stay until a documented flag review changes them (the page says so)."""
    client = client_with(actor, assessment.client_id, Capability.CHART_WRITE)
    _own(actor, assessment)
    marked: RiskAssessment = lifecycle.document_mark_entered_in_error(
        RISK_ASSESSMENT,
        actor=actor,
        document=assessment,
        reason=reason,
        password=password,
        client_id=client.pk,
    )
    return marked
