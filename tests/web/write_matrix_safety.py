"""Write-matrix rows of risk assessments, risk flags and safety plans.

``risk_draft_id`` is a draft assessment of client_a's clinician (hers alone: 404 to
colleagues), ``assessment_id`` her signed one, ``flag_id`` the suicide flag it set;
``plan_draft_id`` the draft version of the safety plan, ``link_id`` a link to the plan and
``plan_token`` its token. Signing an assessment and raising or reviewing a flag need
RISK_ASSESS (peer specialists: 403). The client's link is public by design: anyone holding
the token and the client's date of birth binds it to their browser.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.safety.models import (
    ClientAgreement,
    FlagKind,
    RiskAssessment,
    RiskLevel,
    SafetyPlanVersion,
)
from tests.personas import PASSWORD
from tests.safety.conftest import SECTIONS
from tests.web.write_matrix_base import (
    PERSONAS,
    STORED,
    Target,
    Write,
    beyond_care,
    clinical,
    empty,
    row,
)


def later(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def assessment(target: Target) -> dict[str, object]:
    return {**SECTIONS, "suicide_risk": RiskLevel.MODERATE, "review_on": later(14)}


def assessment_edit(target: Target) -> dict[str, object]:
    draft = RiskAssessment.objects.get(pk=target.id("risk_draft_id"))
    return {**assessment(target), "version": draft.version}


def assessment_sign(target: Target) -> dict[str, object]:
    draft = RiskAssessment.objects.get(pk=target.id("risk_draft_id"))
    return {"version": draft.version, "password": PASSWORD}


def addendum(target: Target) -> dict[str, object]:
    return {"text": "Her sister will keep the pills.", "password": PASSWORD}


def entered_in_error(target: Target) -> dict[str, object]:
    return {"reason": "Assessed the wrong client by mistake.", "password": PASSWORD}


def flag(target: Target) -> dict[str, object]:
    return {
        "kind": FlagKind.OTHER,
        "label": "Do not see alone",
        "review_on": later(30),
        "reason": "Threatened a receptionist last week.",
    }


def flag_review(target: Target) -> dict[str, object]:
    return {
        "decision": "keep",
        "level": RiskLevel.HIGH,
        "review_on": later(7),
        "reason": "New stressor: eviction notice this week.",
    }


def revision(target: Target) -> int:
    return SafetyPlanVersion.objects.get(pk=target.id("plan_draft_id")).revision


def plan_edit(target: Target) -> dict[str, object]:
    return {
        "warning_signs": "Not sleeping",
        "coping": "Walk the dog",
        "reasons_for_living": "My niece",
        "revision": revision(target),
    }


def plan_sign(target: Target) -> dict[str, object]:
    return {
        "revision": revision(target),
        "agreement": ClientAgreement.AGREED,
        "password": PASSWORD,
    }


def confirm(target: Target) -> dict[str, object]:
    return {"date_of_birth": target.client.date_of_birth.isoformat()}


WRITE = clinical(on=STORED, off=404, peer=STORED, registry=403)
AUTHOR = {
    **clinical(on=STORED, off=404, peer=404, registry=403),
    "psychiatrist": 404,
    "supervisor": 404,
}
AUTHOR_SIGNS = {**AUTHOR, "peer_specialist": 403}  # signing needs RISK_ASSESS
RISK = clinical(on=STORED, off=404, peer=403, registry=403)
PUBLIC = row(**{p: STORED for p in PERSONAS})

WRITES: dict[str, Write] = {
    "web:risk_create": Write(assessment, WRITE, beyond_care(WRITE)),
    "web:risk_edit": Write(assessment_edit, AUTHOR, beyond_care(AUTHOR)),
    "web:risk_sign": Write(assessment_sign, AUTHOR_SIGNS, beyond_care(AUTHOR_SIGNS)),
    "web:risk_addendum": Write(addendum, WRITE, beyond_care(WRITE)),
    "web:risk_entered_in_error": Write(entered_in_error, AUTHOR, beyond_care(AUTHOR)),
    "web:risk_flag_add": Write(flag, RISK, beyond_care(RISK)),
    "web:risk_flag_review": Write(flag_review, RISK, beyond_care(RISK)),
    "web:safety_plan_edit": Write(plan_edit, WRITE, beyond_care(WRITE)),
    "web:safety_plan_sign": Write(plan_sign, WRITE, beyond_care(WRITE)),
    "web:safety_plan_link_create": Write(empty, WRITE, beyond_care(WRITE)),
    "web:safety_plan_link_revoke": Write(empty, WRITE, beyond_care(WRITE)),
    "web:safety_plan_public": Write(confirm, PUBLIC, PUBLIC),
}

READS = frozenset(
    {
        "web:risk_view",
        "web:risk_flags",
        "web:safety_plan",
        "web:safety_plan_version",
        "web:safety_plan_pdf",
    }
)
