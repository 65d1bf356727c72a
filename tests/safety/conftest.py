"""Helpers for the safety tests: risk assessments and safety plans of client_a."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from alliance.clients.models import Client
from alliance.safety.models import ClientAgreement, RiskAssessment, SafetyPlanVersion
from alliance.safety.plans import safety_plan_save, safety_plan_sign
from alliance.safety.risk import Formulation, risk_assessment_create, risk_assessment_sign
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

SECTIONS = {
    "risk_factors": "Recent job loss; prior attempt at 19.",
    "warning_signs": "Giving things away.",
    "protective_factors": "Close to her sister; engaged in therapy.",
    "lethal_means": "No firearms at home; stockpiled sleeping pills.",
    "suicide_rationale": "Passive ideation without plan; protective factors strong.",
    "violence_rationale": "",
    "plan": "Safety plan today; pills to the pharmacy; weekly sessions.",
}

PLAN = {
    "warning_signs": "Can't sleep\nStop answering texts",
    "coping": "Walk by the river\nPlay guitar",
    "distractions": "Café on Main Street",
    "help_people": "Sam (sister) 555-0100",
    "professionals": "Dr. Ward, clinic 555-0199",
    "reasons_for_living": "My niece\nFinishing my course",
    "means": {"medications": {"plan": "Sister keeps the pills", "who": "Sam"}},
}


def formulation(level: str = "moderate", violence: str = "", days: int = 14) -> Formulation:
    return Formulation(
        suicide_risk=level,
        violence_risk=violence,
        review_on=timezone.localdate() + timedelta(days=days),
    )


def draft_assessment(
    author: User, client: Client, level: str = "moderate", **values: Any
) -> RiskAssessment:
    return risk_assessment_create(
        actor=author,
        client=client,
        values={**SECTIONS, **values},
        formulation=formulation(level),
    )


def signed_assessment(
    author: User, client: Client, level: str = "moderate", **values: Any
) -> RiskAssessment:
    draft = draft_assessment(author, client, level, **values)
    return risk_assessment_sign(
        actor=author, assessment=draft, version=draft.version, password=PASSWORD
    )


def signed_plan(author: User, client: Client, **values: Any) -> SafetyPlanVersion:
    version = safety_plan_save(
        actor=author, client=client, values={**PLAN, **values}, draft=None, revision=0
    )
    return safety_plan_sign(
        actor=author,
        version=version,
        revision=version.revision,
        password=PASSWORD,
        agreement=ClientAgreement.AGREED,
    )


@pytest.fixture
def assessment(clinic: Clinic) -> RiskAssessment:
    return signed_assessment(clinic.therapist_on_team, clinic.client_a)


@pytest.fixture
def plan_v1(clinic: Clinic) -> SafetyPlanVersion:
    return signed_plan(clinic.therapist_on_team, clinic.client_a)
