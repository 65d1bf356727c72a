"""Synthetic safety data for the demo clinic: one signed risk assessment (which sets a suicide
flag), one signed safety plan, a violence flag and a clinician-defined flag raised by documented
reviews. Everything goes through the services, as a clinician would do it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.clients.models import Client
from alliance.safety.flags import risk_flag_add
from alliance.safety.models import ClientAgreement, SafetyPlan
from alliance.safety.plans import safety_plan_save, safety_plan_sign
from alliance.safety.risk import Formulation, risk_assessment_create, risk_assessment_sign
from alliance.staff.models import User

ASSESSMENT = {
    "risk_factors": "Recent separation; prior overdose at 22; drinking more on weekends.",
    "warning_signs": "Says the family would be better off without them.",
    "protective_factors": "Two children; close friend checks in daily; attends every session.",
    "lethal_means": "No firearms. Keeps a month of prescribed sleeping tablets.",
    "suicide_rationale": "Ideation most days without plan or intent; strong reasons for living.",
    "violence_rationale": "",
    "plan": "Safety plan written today; tablets to the friend; weekly sessions; PHQ-9 biweekly.",
}

PLAN = {
    "warning_signs": "Lying awake after 2 am\nCancelling plans with friends\nDrinking alone",
    "coping": "Go for a run by the river\nCook something from grandmother's recipes\nShower",
    "distractions": "Cousin's house on Sundays\nThe library reading room",
    "help_people": "Robin (friend) 555-0131\nAunt Casey 555-0132",
    "professionals": "Tess Morgan, therapist: clinic 555-0100 (weekdays)",
    "reasons_for_living": "My two kids\nSeeing my daughter graduate",
    "means": {
        "medications": {
            "plan": "Robin keeps the sleeping tablets; a week at a time",
            "who": "Robin",
        },
        "firearms": {"plan": "None in the home; will not buy one", "who": "Client"},
    },
}


def demo_safety(therapist: User, password: str) -> None:
    """Idempotent: does nothing if the demo already has a safety plan."""
    if SafetyPlan.objects.exists():
        return
    caseload = list(
        Client.objects.filter(care_team__staff=therapist, care_team__end_on__isnull=True)
        .order_by("pk")
        .distinct()[:8]
    )
    if len(caseload) < 7:
        return
    review = timezone.localdate() + timedelta(days=14)
    client = caseload[2]
    draft = risk_assessment_create(
        actor=therapist,
        client=client,
        values=ASSESSMENT,
        formulation=Formulation(suicide_risk="moderate", review_on=review),
    )
    risk_assessment_sign(
        actor=therapist, assessment=draft, version=draft.version, password=password
    )
    version = safety_plan_save(actor=therapist, client=client, values=PLAN, draft=None, revision=0)
    safety_plan_sign(
        actor=therapist,
        version=version,
        revision=version.revision,
        password=password,
        agreement=ClientAgreement.SIGNED,
    )
    risk_flag_add(
        actor=therapist,
        client=caseload[4],
        kind="violence",
        label="",
        level="moderate",
        review_on=review,
        reason="Threatened a neighbor during an argument last week (reported in session).",
    )
    risk_flag_add(
        actor=therapist,
        client=caseload[6],
        kind="other",
        label="Do not see alone",
        level="",
        review_on=timezone.localdate() + timedelta(days=30),
        reason="Agreed in team meeting after an incident in the waiting room.",
    )
