"""Writing treatment plans: drafts, optimistic locking, activation, revision, closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.access.policy import ClientNotFound
from alliance.audit.models import AuditEvent
from alliance.clients.models import Episode
from alliance.plans.models import (
    AgreementKind,
    Goal,
    Intervention,
    Objective,
    PlanSnapshot,
    PlanStatus,
    Problem,
    TreatmentPlan,
)
from alliance.plans.nodes import node_change, node_remove
from alliance.plans.selectors import PlanNotFound
from alliance.plans.services import (
    plan_activate,
    plan_close,
    plan_create,
    plan_revise,
)
from alliance.plans.tree import digest, load_tree
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.disciplines import Discipline
from alliance.staff.stepup import StepUpFailed
from tests.personas import PASSWORD, Clinic, make_user
from tests.plans.conftest import activate, add, agreement, complete_draft, objective_values


def test_a_draft_is_for_an_open_episode_of_the_client(clinic: Clinic, episode: Episode) -> None:
    other = Episode.objects.create(
        client=clinic.client_b, program=clinic.program, referral_date=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="open episodes"):
        plan_create(actor=clinic.therapist_on_team, client=clinic.client_a, episode_id=other.pk)

    plan = plan_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, episode_id=episode.pk
    )

    assert (plan.status, plan.number, plan.version) == (PlanStatus.DRAFT, 1, 1)
    assert PlanSnapshot.objects.filter(plan=plan, version=1).exists()
    assert AuditEvent.objects.filter(object_type="plans.TreatmentPlan", action="create").exists()
    with pytest.raises(ValidationError, match="already has a draft"):
        plan_create(actor=clinic.therapist_on_team, client=clinic.client_a, episode_id=episode.pk)


def test_someone_off_the_care_team_cannot_start_a_plan(clinic: Clinic, episode: Episode) -> None:
    """SEC-10: outside the care relationship the client is not there."""
    with pytest.raises(ClientNotFound):
        plan_create(actor=clinic.therapist_off_team, client=clinic.client_a, episode_id=episode.pk)
    assert not TreatmentPlan.objects.exists()


def test_every_draft_edit_writes_a_version_and_a_snapshot(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    """REL-03: each save of the draft keeps the whole plan as it stood."""
    versions = list(PlanSnapshot.objects.filter(plan=draft_plan).values_list("version", flat=True))

    assert versions == list(range(1, draft_plan.version + 1)) and draft_plan.version == 5
    last = PlanSnapshot.objects.get(plan=draft_plan, version=5).content
    assert last["problems"][0]["goals"][0]["objectives"][0]["interventions"][0]["modality"] == "cbt"


def test_a_stale_edit_is_refused_and_writes_nothing(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    """REL-04: two editors on version n: the second gets StaleDraft, nothing is lost."""
    problem = Problem.objects.get(plan=draft_plan)
    stale_version = draft_plan.version
    node_change(
        actor=clinic.therapist_on_team,
        plan=draft_plan,
        kind="problem",
        node_id=problem.pk,
        values={"statement": "First editor's words"},
        version=stale_version,
    )

    with pytest.raises(StaleDraft) as raised:
        node_change(
            actor=clinic.psychiatrist,
            plan=draft_plan,
            kind="problem",
            node_id=problem.pk,
            values={"statement": "Second editor's words"},
            version=stale_version,
        )

    assert raised.value.current.version == stale_version + 1
    problem.refresh_from_db()
    assert problem.statement == "First editor's words"


def test_objective_bound_to_an_instrument_needs_a_direction_and_a_score_in_range(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    goal = Goal.objects.get(plan=draft_plan)
    with pytest.raises(ValidationError) as raised:
        add(
            clinic.therapist_on_team,
            draft_plan,
            "objective",
            goal,
            **objective_values(direction="", target_value=40),
        )
    assert set(raised.value.message_dict) == {"direction", "target_value"}
    with pytest.raises(ValidationError, match="Choose a measure"):
        add(
            clinic.therapist_on_team,
            draft_plan,
            "objective",
            goal,
            **objective_values(instrument="nope"),
        )


def test_a_node_cannot_hang_under_another_plans_node(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    """SEC-11: the parent must belong to the same plan."""
    other_episode = Episode.objects.create(
        client=clinic.client_a, program=clinic.program, referral_date=timezone.localdate()
    )
    other = complete_draft(clinic.therapist_on_team, clinic.client_a, other_episode)
    foreign_goal = Goal.objects.get(plan=other)

    with pytest.raises(PlanNotFound):
        add(clinic.therapist_on_team, draft_plan, "objective", foreign_goal, **objective_values())
    assert Objective.objects.filter(goal=foreign_goal).count() == 1


def test_removing_a_problem_marks_it_and_everything_under_it_removed(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    """REL-02: nothing is deleted; the removed nodes leave the draft's tree."""
    problem = Problem.objects.get(plan=draft_plan)
    node_remove(
        actor=clinic.therapist_on_team,
        plan=draft_plan,
        kind="problem",
        node_id=problem.pk,
        version=draft_plan.version,
    )

    assert load_tree(draft_plan).problems == []
    for model in (Problem, Goal, Objective, Intervention):
        assert model.all_rows.filter(plan=draft_plan, removed_at__isnull=False).count() == 1


def test_activation_records_the_agreement_hash_and_review_date(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    with override_settings(PLAN_REVIEW_DAYS=30):
        plan = activate(clinic.therapist_on_team, draft_plan)

    assert plan.status == PlanStatus.ACTIVE
    assert plan.agreement_kind == AgreementKind.VERBAL and plan.agreed_on == timezone.localdate()
    assert plan.review_due_on == timezone.localdate() + timedelta(days=30)
    assert plan.content_hash == digest(load_tree(plan))
    assert plan.activated_by == clinic.therapist_on_team


def test_activation_needs_the_password_and_a_complete_agreement(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    """SEC-08: a wrong password is refused and audited; the agreement needs its parts."""
    actor = clinic.therapist_on_team
    with pytest.raises(StepUpFailed):
        plan_activate(
            actor=actor,
            plan=draft_plan,
            version=draft_plan.version,
            agreement=agreement(),
            password="x",
        )
    assert AuditEvent.objects.filter(outcome="denied", object_type="plans.TreatmentPlan").exists()

    incomplete = agreement(
        kind=AgreementKind.SIGNATURE,
        participation="Agreed.",
        agreed_on=timezone.localdate() + timedelta(days=1),
    )
    with pytest.raises(ValidationError) as raised:
        plan_activate(
            actor=actor,
            plan=draft_plan,
            version=draft_plan.version,
            agreement=incomplete,
            password=PASSWORD,
        )
    assert set(raised.value.message_dict) == {"signed_name", "agreed_on", "participation"}
    draft_plan.refresh_from_db()
    assert draft_plan.is_draft


def test_activation_needs_a_complete_tree(clinic: Clinic, episode: Episode) -> None:
    actor = clinic.therapist_on_team
    plan = plan_create(actor=actor, client=clinic.client_a, episode_id=episode.pk)
    add(actor, plan, "problem", statement="Sleep problems")

    with pytest.raises(ValidationError, match="has no goal"):
        activate(actor, plan)


def test_activation_needs_note_sign(clinic: Clinic, draft_plan: TreatmentPlan) -> None:
    """An unlicensed peer on the care team may write a draft but not activate it."""
    peer = make_user("uma_unlicensed", Discipline.PEER_SUPPORT, None)
    CareTeamMember.objects.create(
        client=clinic.client_a,
        staff=peer,
        role=CareTeamRole.PEER_SPECIALIST,
        start_on=timezone.localdate(),
    )
    add(peer, draft_plan, "problem", statement="Isolation")
    draft_plan.refresh_from_db()

    with pytest.raises(ValidationError, match="scope of practice"):
        plan_activate(
            actor=peer,
            plan=draft_plan,
            version=draft_plan.version,
            agreement=agreement(),
            password=PASSWORD,
        )


def test_revising_copies_the_tree_and_supersedes_the_old_version_on_activation(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    actor = clinic.therapist_on_team
    revision = plan_revise(actor=actor, plan=active_plan)

    assert (revision.number, revision.supersedes_id, revision.status) == (
        2,
        active_plan.pk,
        "draft",
    )
    assert load_tree(revision).counts() == load_tree(active_plan).counts()
    with pytest.raises(ValidationError, match="already in progress"):
        plan_revise(actor=actor, plan=active_plan)

    objective = Objective.objects.get(plan=revision)
    node_change(
        actor=actor,
        plan=revision,
        kind="objective",
        node_id=objective.pk,
        values=objective_values(target_value=5),
        version=revision.version,
    )
    activated = activate(actor, revision)

    active_plan.refresh_from_db()
    assert activated.status == PlanStatus.ACTIVE
    assert active_plan.status == PlanStatus.SUPERSEDED and active_plan.superseded_at
    assert Objective.objects.get(plan=active_plan).target_value == 10


def test_an_active_plan_cannot_be_edited_through_the_services(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    problem = Problem.objects.get(plan=active_plan)
    with pytest.raises(DocumentLocked):
        node_change(
            actor=clinic.therapist_on_team,
            plan=active_plan,
            kind="problem",
            node_id=problem.pk,
            values={"statement": "Changed"},
            version=active_plan.version,
        )


def test_closing_records_a_reason_and_is_final(clinic: Clinic, active_plan: TreatmentPlan) -> None:
    actor = clinic.therapist_on_team
    with pytest.raises(ValidationError) as raised:
        plan_close(actor=actor, plan=active_plan, reason="other", note="", password=PASSWORD)
    assert "note" in raised.value.message_dict
    with pytest.raises(StepUpFailed):
        plan_close(actor=actor, plan=active_plan, reason="goals_met", note="", password="wrong")

    closed = plan_close(
        actor=actor, plan=active_plan, reason="goals_met", note="", password=PASSWORD
    )

    assert closed.status == PlanStatus.CLOSED and closed.closed_by == actor
    with pytest.raises(ValidationError, match="already closed"):
        plan_close(actor=actor, plan=closed, reason="goals_met", note="", password=PASSWORD)


def test_a_draft_is_withdrawn_without_a_password(clinic: Clinic, draft_plan: TreatmentPlan) -> None:
    closed = plan_close(
        actor=clinic.therapist_on_team, plan=draft_plan, reason="withdrawn", note=""
    )
    assert (closed.status, closed.close_reason) == (PlanStatus.CLOSED, "withdrawn")
