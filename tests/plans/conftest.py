"""Helpers for the plans tests: an episode of client_a, a complete draft, an active plan."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from alliance.assessments.models import Administration, AdministrationMode
from alliance.clients.models import Client, Episode
from alliance.plans.models import AgreementKind, TreatmentPlan
from alliance.plans.nodes import node_add
from alliance.plans.services import Agreement, plan_activate, plan_create
from alliance.staff.models import User
from tests.personas import PASSWORD, Clinic

PARTICIPATION = "The client chose the goals and wrote the first one in her own words."


def open_episode(clinic: Clinic, client: Client | None = None, days_ago: int = 30) -> Episode:
    start = timezone.localdate() - timedelta(days=days_ago)
    return Episode.objects.create(
        client=client or clinic.client_a,
        program=clinic.program,
        referral_date=start,
        admission_date=start,
    )


def add(actor: User, plan: TreatmentPlan, kind: str, parent: Any = "", **values: Any) -> Any:
    """Add a node at the plan's current version; returns the node (the plan reloads)."""
    plan.refresh_from_db()
    return node_add(
        actor=actor,
        plan=plan,
        kind=kind,
        parent_id=getattr(parent, "pk", parent),
        values=values,
        version=plan.version,
    )


def objective_values(**overrides: Any) -> dict[str, Any]:
    return {
        "description": "Depressive symptoms",
        "instrument": "phq9",
        "direction": "below",
        "target_value": 10,
        "target_date": timezone.localdate() + timedelta(days=60),
        **overrides,
    }


def complete_draft(actor: User, client: Client, episode: Episode) -> TreatmentPlan:
    """A draft with problem → goal → objective (PHQ-9 below 10) → intervention."""
    plan = plan_create(actor=actor, client=client, episode_id=episode.pk)
    problem = add(actor, plan, "problem", statement="Depressed mood", client_words="I feel flat")
    goal = add(actor, plan, "goal", problem, client_words="Enjoy things again", target="PHQ-9 < 10")
    objective = add(actor, plan, "objective", goal, **objective_values())
    add(
        actor,
        plan,
        "intervention",
        objective,
        modality="cbt",
        frequency="weekly, 50 minutes",
        responsible=actor.pk,
    )
    plan.refresh_from_db()
    return plan


def agreement(**overrides: Any) -> Agreement:
    values: dict[str, Any] = {
        "kind": AgreementKind.VERBAL,
        "agreed_on": timezone.localdate(),
        "participation": PARTICIPATION,
        **overrides,
    }
    return Agreement(**values)


def activate(actor: User, plan: TreatmentPlan) -> TreatmentPlan:
    plan.refresh_from_db()
    return plan_activate(
        actor=actor, plan=plan, version=plan.version, agreement=agreement(), password=PASSWORD
    )


def score(client: Client, total: float, days_ago: int, instrument: str = "phq9") -> Administration:
    """A scored administration (a fixture row: the scoring itself is tested elsewhere)."""
    moment = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(12, 0))
    )
    return Administration.objects.create(
        client=client,
        instrument=instrument,
        mode=AdministrationMode.IN_SESSION,
        completed_at=moment,
        questionnaire_response={},
        answers={},
        total=total,
    )


@pytest.fixture
def episode(clinic: Clinic) -> Episode:
    return open_episode(clinic)


@pytest.fixture
def draft_plan(clinic: Clinic, episode: Episode) -> TreatmentPlan:
    return complete_draft(clinic.therapist_on_team, clinic.client_a, episode)


@pytest.fixture
def active_plan(clinic: Clinic, draft_plan: TreatmentPlan) -> TreatmentPlan:
    return activate(clinic.therapist_on_team, draft_plan)
