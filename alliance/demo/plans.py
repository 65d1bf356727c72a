"""Demo treatment plan: a synthetic active plan with an objective bound to the PHQ-9.

Built through the services, as a clinician would: a draft for an open episode, the tree, then
activation with the client's (verbal) agreement. Its PHQ-9 objective shows live progress from
the demo's measure history on the plan, the chart and the notes.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.assessments.models import Administration
from alliance.clients.models import Client, Episode
from alliance.plans.models import AgreementKind, TreatmentPlan
from alliance.plans.nodes import node_add
from alliance.plans.services import Agreement, plan_activate, plan_create
from alliance.staff.models import User


def _add(actor: User, plan: TreatmentPlan, kind: str, parent: object, **values: object) -> object:
    plan.refresh_from_db()
    return node_add(
        actor=actor,
        plan=plan,
        kind=kind,
        parent_id=getattr(parent, "pk", parent),
        values=values,
        version=plan.version,
    )


def demo_plans(*, therapist: User) -> TreatmentPlan | None:
    """An active plan for the first client of ``therapist`` with PHQ-9 scores and an open
    episode; None if there is none (or a plan exists already)."""
    from alliance.demo.clinic import demo_password  # the clinic module calls this one

    if TreatmentPlan.objects.exists():
        return None
    scored = Administration.objects.filter(instrument="phq9").values("client_id")
    client = (
        Client.objects.filter(
            pk__in=scored,
            care_team__staff=therapist,
            care_team__end_on__isnull=True,
            episodes__discharge_date__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if client is None:
        return None
    episode = Episode.objects.filter(client=client, discharge_date__isnull=True).first()
    assert episode is not None
    today = timezone.localdate()
    plan = plan_create(actor=therapist, client=client, episode_id=episode.pk)
    problem = _add(
        therapist,
        plan,
        "problem",
        "",
        statement="Depressed mood with loss of interest and poor sleep.",
        client_words="I don't enjoy anything any more and I'm tired all the time.",
    )
    goal = _add(
        therapist,
        plan,
        "goal",
        problem,
        client_words="I want to get back to playing football with my friends.",
        target="Plays football at least once a week and reports enjoying it.",
    )
    phq9 = _add(
        therapist,
        plan,
        "objective",
        goal,
        description="Depressive symptoms (PHQ-9)",
        instrument="phq9",
        direction="below",
        target_value=10,
        target_date=today + timedelta(days=90),
    )
    _add(
        therapist,
        plan,
        "intervention",
        phq9,
        modality="cbt",
        description="Behavioral activation and sleep routine.",
        frequency="Weekly, 50 minutes",
        responsible=therapist.pk,
    )
    activity = _add(
        therapist,
        plan,
        "objective",
        goal,
        description="Pleasant activities scheduled and done",
        target="Three planned activities a week, recorded in the activity diary",
        target_date=today + timedelta(days=60),
    )
    _add(
        therapist,
        plan,
        "intervention",
        activity,
        modality="psychoeducation",
        frequency="Every session, 10 minutes",
        responsible=therapist.pk,
    )
    plan.refresh_from_db()
    return plan_activate(
        actor=therapist,
        plan=plan,
        version=plan.version,
        agreement=Agreement(
            kind=AgreementKind.VERBAL,
            agreed_on=today,
            participation=(
                "The client chose the goal and the activities; we wrote the goal in their words "
                "and agreed to review the plan together in three months."
            ),
        ),
        password=demo_password(therapist.username),
    )
