"""Reads of plans: the live tree in a fixed number of queries, reviews due, the chart section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.assessments.selectors import measures_for, score_history
from alliance.audit.models import AuditEvent
from alliance.clients.models import Episode
from alliance.plans.models import Goal, Objective, PlanStatus, TreatmentPlan
from alliance.plans.progress import ProgressState
from alliance.plans.selectors import (
    PlanNotFound,
    active_objectives_for,
    chart_plan_for,
    plan_for,
    plan_reviews_due_for,
)
from alliance.plans.tree import load_tree
from tests.personas import Clinic
from tests.plans.conftest import activate, add, complete_draft, objective_values, score


def test_progress_is_computed_live_from_the_scores_since_the_episode_began(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    client = clinic.client_a
    score(client, 25, days_ago=60)  # before the episode: not the baseline
    score(client, 21, days_ago=20)
    score(client, 14, days_ago=5)

    progress = load_tree(active_plan).objectives()[0].progress
    assert progress is not None
    assert (progress.baseline.total, progress.latest.total) == (21, 14)  # type: ignore[union-attr]
    assert progress.state == ProgressState.NOT_YET and progress.trend == "improving"

    score(client, 8, days_ago=0)
    again = load_tree(active_plan).objectives()[0].progress
    assert again is not None and again.state == ProgressState.MET


def test_the_chart_reuses_the_measures_scores_for_objective_progress(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    """The chart passes the scores its Measures section loaded; progress is the same as read
    from the database, and the plan section reads no score row again."""
    client = clinic.client_a
    score(client, 25, days_ago=60)  # before the episode: not the baseline
    score(client, 21, days_ago=20)
    score(client, 14, days_ago=5)
    score(client, 9, days_ago=3, instrument="gad7")
    read = chart_plan_for(client=client).active[0].objectives[0].progress
    history = score_history(measures_for(client=client))

    with CaptureQueriesContext(connection) as captured:
        given = chart_plan_for(client=client, history=history).active[0].objectives[0].progress

    assert given == read
    assert given is not None and (given.baseline.total, given.latest.total) == (21, 14)  # type: ignore[union-attr]
    assert not [q for q in captured.captured_queries if "assessments_administration" in q["sql"]]


def test_the_tree_loads_in_a_fixed_number_of_queries(
    clinic: Clinic,
    draft_plan: TreatmentPlan,
    django_assert_max_num_queries: object,
) -> None:
    """No N+1: 4 levels + 1 query for the scores of every objective, however many."""
    goal = Goal.objects.get(plan=draft_plan)
    for i in range(12):
        add(
            clinic.therapist_on_team,
            draft_plan,
            "objective",
            goal,
            **objective_values(instrument="gad7" if i % 2 else "phq9"),
        )
    score(clinic.client_a, 12, days_ago=3, instrument="gad7")
    score(clinic.client_a, 15, days_ago=3)

    plan = TreatmentPlan.objects.select_related("episode").get(pk=draft_plan.pk)
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        tree = load_tree(plan)
    assert len(tree.objectives()) == 13
    assert all(o.progress and o.progress.latest for o in tree.objectives())


def test_chart_section_shows_the_active_plan_and_drafts(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    other = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )
    draft = complete_draft(clinic.therapist_on_team, clinic.client_a, other)

    section = chart_plan_for(client=clinic.client_a)

    assert [a.plan.pk for a in section.active] == [active_plan.pk]
    assert [o.progress.target_text for o in section.active[0].objectives if o.progress] == [
        f"PHQ-9 below 10 by {Objective.objects.get(plan=active_plan).target_date:%Y-%m-%d}"
    ]
    assert [d.pk for d in section.drafts] == [draft.pk]
    assert section.active[0].review_state == ""


def test_reviews_due_within_two_weeks_or_overdue_reach_the_caseload(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    today = timezone.localdate()
    assert plan_reviews_due_for(actor=clinic.therapist_on_team) == []

    # A second plan activated with a 10-day review period is due within the two weeks.
    other = Episode.objects.create(
        client=clinic.client_a,
        program=clinic.program,
        referral_date=today - timedelta(days=5),
    )
    with override_settings(PLAN_REVIEW_DAYS=10):
        soon = activate(
            clinic.therapist_on_team,
            complete_draft(clinic.therapist_on_team, clinic.client_a, other),
        )

    rows = plan_reviews_due_for(actor=clinic.therapist_on_team)
    assert [(r.plan.pk, r.overdue, r.days) for r in rows] == [(soon.pk, False, 10)]
    assert plan_reviews_due_for(actor=clinic.therapist_off_team) == []
    event = (
        AuditEvent.objects.filter(detail__view="plan_reviews", actor=clinic.therapist_on_team)
        .order_by("-pk")
        .first()
    )
    assert event is not None and event.detail["client_ids"] == [clinic.client_a.pk]


def test_review_state_turns_overdue_after_the_due_date(active_plan: TreatmentPlan) -> None:
    assert active_plan.review_due_on is not None
    due = active_plan.review_due_on
    assert active_plan.review_state(due - timedelta(days=15), 14) == ""
    assert active_plan.review_state(due - timedelta(days=14), 14) == "due"
    assert active_plan.review_state(due + timedelta(days=1), 14) == "overdue"


def test_a_plan_is_404_outside_the_care_relationship(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    """SEC-10: off the team, or under another client, the plan is not there; audited."""
    with pytest.raises(PlanNotFound):
        plan_for(
            actor=clinic.therapist_off_team, client_id=clinic.client_a.pk, plan_id=active_plan.pk
        )
    with pytest.raises(PlanNotFound):
        plan_for(
            actor=clinic.therapist_on_team, client_id=clinic.client_b.pk, plan_id=active_plan.pk
        )
    assert (
        AuditEvent.objects.filter(object_type="plans.TreatmentPlan", outcome="denied").count() == 2
    )

    found = plan_for(
        actor=clinic.therapist_on_team, client_id=clinic.client_a.pk, plan_id=active_plan.pk
    )
    assert found.pk == active_plan.pk
    assert AuditEvent.objects.filter(
        object_type="plans.TreatmentPlan", object_id=str(active_plan.pk), action="record_view"
    ).exists()


def test_objectives_for_notes_come_from_the_active_plan_only(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    assert active_objectives_for(client=clinic.client_a) == []
    active = activate(clinic.therapist_on_team, draft_plan)
    found = active_objectives_for(client=clinic.client_a)
    assert [o.plan.pk for o in found] == [active.pk]
    assert active.status == PlanStatus.ACTIVE
