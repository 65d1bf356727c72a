"""Writing risk assessments (STYLE habit 2): draft, save, sign, addendum, entered in error.

A draft is the author's alone. Saving is an atomic ``UPDATE … WHERE version = n`` (REL-04) and
writes a revision in its transaction (REL-03). Signing needs ``RISK_ASSESS`` and ``NOTE_SIGN``
and the password again (SEC-08); it snapshots the screener results, records the SHA-256, and
sets the client's suicide (and, if assessed, violence) risk flags in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alliance.access.policy import has_capability
from alliance.assessments.models import CriticalAlert
from alliance.audit.actions import AuditAction, AuditSeverity
from alliance.audit.services import audit_record
from alliance.clients.models import Client
from alliance.safety.base import (
    MINIMUM_REASON_LENGTH,
    DocumentLocked,
    SafetyRecordNotFound,
    StaleDraft,
    client_with,
)
from alliance.safety.flags import flag_apply
from alliance.safety.models import (
    DocumentStatus,
    FlagKind,
    RiskAssessment,
    RiskAssessmentAddendum,
    RiskAssessmentRevision,
    RiskLevel,
)
from alliance.safety.screeners import screeners_snapshot
from alliance.safety.signing import addendum_digest, assessment_digest
from alliance.staff.capabilities import Capability
from alliance.staff.models import User
from alliance.staff.stepup import step_up

# The sections of the assessment, in the order a clinician works through them.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("risk_factors", "Risk factors", "History, current stressors, symptoms, recent behaviour."),
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
    ("plan", "Plan", "Safety plan, means counselling, contacts, follow-up, level of care."),
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


def reload_assessment(assessment: RiskAssessment) -> RiskAssessment:
    return RiskAssessment.objects.select_related("client", "author", "signed_by").get(
        pk=assessment.pk
    )


def _revision(assessment: RiskAssessment, actor: User, when: Any) -> None:
    RiskAssessmentRevision.objects.create(
        assessment=assessment,
        version=assessment.version,
        status=assessment.status,
        content=assessment.content,
        suicide_risk=assessment.suicide_risk,
        violence_risk=assessment.violence_risk,
        review_on=assessment.review_on,
        saved_by=actor,
        saved_at=when,
    )


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
        _revision(assessment, actor, now)
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
    now = timezone.now()
    with transaction.atomic():
        updated = RiskAssessment.objects.filter(
            pk=assessment.pk, version=version, status=DocumentStatus.DRAFT
        ).update(
            content=content,
            suicide_risk=formulation.suicide_risk,
            violence_risk=formulation.violence_risk,
            review_on=formulation.review_on,
            version=F("version") + 1,
            updated_at=now,
        )
        if updated != 1:
            current = reload_assessment(assessment)
            if not current.is_draft:
                raise DocumentLocked
            raise StaleDraft(current)
        saved = reload_assessment(assessment)
        _revision(saved, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=saved.client_id,
            target=saved,
            detail={
                "sections": sorted(k for k in content if content[k] != assessment.content.get(k)),
                "version": saved.version,
            },
        )
    return saved


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
    now = timezone.now()
    current.screeners = screeners_snapshot(client_id=client.pk)
    current.signed_by, current.signed_at = actor, now
    digest = assessment_digest(current)
    with transaction.atomic():
        updated = RiskAssessment.objects.filter(
            pk=current.pk, version=version, status=DocumentStatus.DRAFT
        ).update(
            status=DocumentStatus.SIGNED,
            version=F("version") + 1,
            screeners=current.screeners,
            signed_by=actor,
            signed_at=now,
            content_hash=digest,
            updated_at=now,
        )
        if updated != 1:
            raise StaleDraft(reload_assessment(current))
        signed = reload_assessment(current)
        _revision(signed, actor, now)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client,
            target=signed,
            severity=AuditSeverity.HIGH,
            detail={"signed": True, "version": signed.version, "sha256": digest},
        )
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
    if not assessment.is_signed:
        raise ValidationError("Only a signed assessment takes addenda: edit the draft instead.")
    if assessment.in_error:
        raise ValidationError("This assessment was entered in error; write a new one instead.")
    if not text.strip():
        raise ValidationError({"text": ["Write the addendum."]})
    step_up(actor, password, client_id=client.pk, target=assessment, step="addendum")
    with transaction.atomic():
        addendum = RiskAssessmentAddendum(
            assessment=assessment, author=actor, written_at=timezone.now(), text=text.strip()
        )
        addendum.content_hash = addendum_digest(addendum, assessment.content_hash)
        addendum.save(force_insert=True)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            client=client,
            target=addendum,
            detail={"assessment": assessment.pk, "sha256": addendum.content_hash},
        )
    return addendum


def risk_assessment_mark_entered_in_error(
    *, actor: User, assessment: RiskAssessment, reason: str, password: str
) -> RiskAssessment:
    """The author withdraws an assessment written in error; it is never deleted. Flags it set
    stay until a documented flag review changes them (the page says so)."""
    client = client_with(actor, assessment.client_id, Capability.CHART_WRITE)
    _own(actor, assessment)
    if assessment.in_error:
        raise ValidationError("This assessment is already marked entered in error.")
    if len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise ValidationError(
            {"reason": [f"Give the reason in at least {MINIMUM_REASON_LENGTH} characters."]}
        )
    step_up(actor, password, client_id=client.pk, target=assessment, step="entered_in_error")
    now = timezone.now()
    with transaction.atomic():
        RiskAssessment.objects.filter(pk=assessment.pk, entered_in_error_at__isnull=True).update(
            entered_in_error_at=now,
            entered_in_error_by=actor,
            entered_in_error_reason=reason.strip(),
            updated_at=now,
        )
        marked = reload_assessment(assessment)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            client=client,
            target=marked,
            severity=AuditSeverity.HIGH,
            detail={"entered_in_error": True},
        )
    return marked
