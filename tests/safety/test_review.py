"""The review prompt: an alert after the plan's last signature, or an alert and no plan."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.assessments.models import CriticalAlert
from alliance.crisis.models import CrisisSource
from alliance.crisis.services import crisis_start
from alliance.safety.review import plan_reviews_due
from tests.personas import Clinic
from tests.safety.conftest import signed_plan


def alert(client: object, when: object) -> CriticalAlert:
    return CriticalAlert.objects.create(
        client=client, instrument="phq9", flags=["phq9_item9_positive"], raised_at=when
    )


def test_review_is_due_after_an_alert_and_ends_with_a_new_signature(clinic: Clinic) -> None:
    a, b = clinic.client_a, clinic.client_b
    assert plan_reviews_due(client_ids=[a.pk, b.pk]) == {}  # no event: no prompt
    alert(a, timezone.now() - timedelta(days=2))
    due = plan_reviews_due(client_ids=[a.pk, b.pk])
    assert set(due) == {a.pk} and due[a.pk].no_plan
    signed_plan(clinic.therapist_on_team, a)
    assert plan_reviews_due(client_ids=[a.pk]) == {}
    alert(a, timezone.now())
    due = plan_reviews_due(client_ids=[a.pk])
    assert not due[a.pk].no_plan and due[a.pk].event == "critical-item alert"


def test_a_crisis_episode_after_the_last_signature_prompts_a_review(clinic: Clinic) -> None:
    """Reviewing the plan is prompted after every crisis episode, as after every alert."""
    signed_plan(clinic.therapist_on_team, clinic.client_a)
    assert plan_reviews_due(client_ids=[clinic.client_a.pk]) == {}

    crisis_start(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        source=CrisisSource.WALK_IN,
        presenting_concern="Walked in distressed after a family conflict.",
    )

    due = plan_reviews_due(client_ids=[clinic.client_a.pk])
    assert due[clinic.client_a.pk].event == "crisis episode"
