"""The demo clinic gets a synthetic active plan with a PHQ-9-bound objective."""

from __future__ import annotations

import pytest

from alliance.demo.clinic import demo_build
from alliance.demo.plans import demo_plans
from alliance.plans.models import Objective, PlanStatus, TreatmentPlan
from alliance.plans.progress import ProgressState
from alliance.plans.tree import load_tree


@pytest.mark.django_db
def test_the_demo_has_an_active_plan_whose_phq9_objective_shows_progress() -> None:
    result = demo_build(clients=9)

    plan = TreatmentPlan.objects.get()
    assert plan.status == PlanStatus.ACTIVE and plan.content_hash
    bound = Objective.objects.get(plan=plan, instrument="phq9")
    progress = next(o.progress for o in load_tree(plan).objectives() if o.objective == bound)
    assert progress is not None and progress.state != ProgressState.NO_SCORES
    # building again adds nothing
    therapist = next(u for u in result.staff if u.username == "tmorgan")
    assert demo_plans(therapist=therapist) is None
