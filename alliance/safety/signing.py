"""Risk assessments and safety plan versions as documents of the records kernel: what each
signature covers (client, author, signer, time, content; REL-01), and how a save is kept.

Digest, lock, versions, addenda and entered in error are the kernel's (``records.lifecycle``);
signatures made before the kernel still verify (``tests/records/test_canonical.py``).
"""

from __future__ import annotations

from typing import Any

from alliance.records import lifecycle
from alliance.records.canonical import canonical_day, canonical_time, matches
from alliance.safety.models import (
    RiskAssessment,
    RiskAssessmentAddendum,
    RiskAssessmentRevision,
    SafetyPlanRevision,
    SafetyPlanVersion,
)


def assessment_document(assessment: RiskAssessment) -> dict[str, Any]:
    """What an assessment's SHA-256 covers (signer and time must already be set)."""
    return {
        "assessment": assessment.pk,
        "client": assessment.client_id,
        "author": assessment.author_id,
        "alert": assessment.alert_id,
        "content": assessment.content,
        "suicide_risk": assessment.suicide_risk,
        "violence_risk": assessment.violence_risk,
        "review_on": canonical_day(assessment.review_on),
        "screeners": assessment.screeners,
        "signed_by": assessment.signed_by_id,
        "signed_at": canonical_time(assessment.signed_at),
    }


def reload_assessment(assessment: RiskAssessment) -> RiskAssessment:
    return RiskAssessment.objects.select_related("client", "author", "signed_by").get(
        pk=assessment.pk
    )


RISK_ASSESSMENT = lifecycle.DocumentKind(
    label="assessment",
    model=RiskAssessment,
    reload=reload_assessment,
    signature=assessment_document,
    version_model=RiskAssessmentRevision,
    version_parent="assessment",
    version_copies=("suicide_risk", "violence_risk", "review_on"),
    addendum_model=RiskAssessmentAddendum,
    addendum_parent="assessment",
)


def plan_version_document(
    version: SafetyPlanVersion, client_id: int | None = None
) -> dict[str, Any]:
    """What a safety plan version's SHA-256 covers, its client included (``client_id`` when
    the caller has it, so that a list of versions does not read each one's plan)."""
    return {
        "version": version.pk,
        "plan": version.plan_id,
        "client": client_id if client_id is not None else version.plan.client_id,
        "number": version.number,
        "content": version.content,
        "agreement": version.agreement,
        "agreement_on": canonical_day(version.agreement_on),
        "agreement_note": version.agreement_note,
        "signed_by": version.signed_by_id,
        "signed_at": canonical_time(version.signed_at),
    }


def reload_version(version: SafetyPlanVersion) -> SafetyPlanVersion:
    return SafetyPlanVersion.objects.select_related("plan", "plan__client").get(pk=version.pk)


SAFETY_PLAN = lifecycle.DocumentKind(
    label="safety plan",
    model=SafetyPlanVersion,
    reload=reload_version,
    signature=plan_version_document,
    version_model=SafetyPlanRevision,
    version_parent="version",
    lock="revision",
    entered_in_error=False,  # a plan is replaced by its next version, never withdrawn
)


def assessment_signature_valid(assessment: RiskAssessment) -> bool:
    return lifecycle.signature_valid(RISK_ASSESSMENT, assessment)


def addendum_signature_valid(addendum: RiskAssessmentAddendum, assessment: RiskAssessment) -> bool:
    return lifecycle.addendum_signature_valid(RISK_ASSESSMENT, addendum, assessment)


def plan_version_signature_valid(version: SafetyPlanVersion, client_id: int) -> bool:
    return matches(version.content_hash, plan_version_document(version, client_id))
