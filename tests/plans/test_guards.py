"""The database itself locks activated plans and refuses deletion (REL-01, REL-02, SEC-11).

Each test runs on SQLite and, with ``ALLIANCE_DATABASE_URL`` set, on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.plans import guards
from alliance.plans.guards import (
    DELETE_MESSAGE,
    FINAL_MESSAGE,
    LIFECYCLE,
    LOCKED,
    LOCKED_MESSAGE,
    MOVE_MESSAGE,
    install_plan_guards,
    remove_plan_guards,
)
from alliance.plans.models import (
    Goal,
    Intervention,
    Objective,
    PlanSnapshot,
    PlanStatus,
    Problem,
    TreatmentPlan,
)
from alliance.plans.selectors import plan_page
from alliance.plans.services import plan_close
from tests.conftest import sign_in
from tests.personas import PASSWORD, Clinic

PLAN = TreatmentPlan._meta.db_table


def refused(change: Callable[[], object], *messages: str) -> None:
    """``change`` fails in the database with one of ``messages``."""
    pattern = "|".join(re.escape(m.split(" (")[0]) for m in messages)
    with pytest.raises(DatabaseError, match=pattern), transaction.atomic():
        change()


def raw(sql: str, params: list[object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


def test_every_plan_column_is_either_locked_or_a_lifecycle_column() -> None:
    """SQLite lists the locked columns: a new column must be put in one of the two lists."""
    columns = {f.column for f in TreatmentPlan._meta.concrete_fields}
    assert columns == set(LOCKED) | set(LIFECYCLE)


def test_an_active_plans_content_cannot_be_changed_by_sql(active_plan: TreatmentPlan) -> None:
    """REL-01: raw SQL and ``QuerySet.update()`` cannot rewrite an agreed plan."""
    before = TreatmentPlan.objects.filter(pk=active_plan.pk).values().get()

    refused(
        lambda: raw(f"UPDATE {PLAN} SET participation = 'x' WHERE id = %s", [active_plan.pk]),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: TreatmentPlan.objects.filter(pk=active_plan.pk).update(status="draft", version=99),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: TreatmentPlan.objects.filter(pk=active_plan.pk).update(content_hash=""),
        LOCKED_MESSAGE,
    )
    assert TreatmentPlan.objects.filter(pk=active_plan.pk).values().get() == before


def test_an_active_plans_tree_cannot_be_changed_or_grown(active_plan: TreatmentPlan) -> None:
    """REL-01: every node of an activated plan is locked, and none can be added to it."""
    objective = Objective.objects.get(plan=active_plan)
    goal = Goal.objects.get(plan=active_plan)

    refused(
        lambda: Objective.objects.filter(pk=objective.pk).update(target_value=20),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: Problem.objects.filter(plan=active_plan).update(removed_at=timezone.now()),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: Objective.objects.create(
            plan=active_plan,
            goal=goal,
            description="Sneaked in",
            target="x",
            target_date=timezone.localdate(),
        ),
        LOCKED_MESSAGE,
    )
    assert Objective.objects.get(pk=objective.pk).target_value == 10


def test_plans_and_nodes_are_never_deleted(draft_plan: TreatmentPlan) -> None:
    """REL-02: not even a draft, not even by raw SQL."""
    for model in (Intervention, Objective, Goal, Problem):
        table = model._meta.db_table
        refused(
            lambda t=table: raw(f"DELETE FROM {t} WHERE plan_id = %s", [draft_plan.pk]),
            DELETE_MESSAGE,
        )
    refused(lambda: raw(f"DELETE FROM {PLAN} WHERE id = %s", [draft_plan.pk]), DELETE_MESSAGE)
    assert TreatmentPlan.objects.filter(pk=draft_plan.pk).exists()


def test_a_plan_or_node_cannot_move(clinic: Clinic, draft_plan: TreatmentPlan) -> None:
    """SEC-11: a plan stays with its client and a node with its plan, draft or not."""
    refused(
        lambda: TreatmentPlan.objects.filter(pk=draft_plan.pk).update(client=clinic.client_b),
        MOVE_MESSAGE,
    )
    other = TreatmentPlan.objects.create(
        client=clinic.client_a,
        episode=draft_plan.episode,
        number=9,
        status=PlanStatus.CLOSED,
        created_by=clinic.therapist_on_team,
    )
    refused(
        lambda: Problem.objects.filter(plan=draft_plan).update(plan=other),
        MOVE_MESSAGE,
        LOCKED_MESSAGE,
    )


def test_a_closed_plan_is_final(clinic: Clinic, active_plan: TreatmentPlan) -> None:
    """REL-01: closing is the last change; not even the lifecycle columns move again."""
    plan_close(
        actor=clinic.therapist_on_team,
        plan=active_plan,
        reason="goals_met",
        note="",
        password=PASSWORD,
    )
    refused(
        lambda: TreatmentPlan.objects.filter(pk=active_plan.pk).update(status="active"),
        FINAL_MESSAGE,
        LOCKED_MESSAGE,
    )
    refused(
        lambda: TreatmentPlan.objects.filter(pk=active_plan.pk).update(close_note="rewritten"),
        FINAL_MESSAGE,
        LOCKED_MESSAGE,
    )


def test_snapshots_are_append_only(draft_plan: TreatmentPlan) -> None:
    """REL-03: the kept versions of a draft cannot be rewritten or removed."""
    refused(
        lambda: PlanSnapshot.objects.filter(plan=draft_plan).update(content={}),
        "append-only",
    )
    refused(lambda: PlanSnapshot.objects.filter(plan=draft_plan).delete(), "append-only")


def test_guards_can_be_lifted_and_put_back(draft_plan: TreatmentPlan) -> None:
    """What migrations and the test flush rely on: remove, then install again, idempotently."""
    remove_plan_guards(connection)
    try:
        assert raw(f"UPDATE {PLAN} SET strengths = 'x' WHERE id = %s", [draft_plan.pk]) == 1
    finally:
        install_plan_guards(connection)
        install_plan_guards(connection)
    assert set(guards.guarded_tables()) >= {PLAN, "plans_objective"}
    refused(lambda: raw(f"DELETE FROM {PLAN} WHERE id = %s", [draft_plan.pk]), DELETE_MESSAGE)


def test_a_plan_changed_behind_the_guards_shows_as_not_matching_its_agreement(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    """REL-01: the digest recorded at activation is checked on every read of the plan."""
    assert plan_page(plan=active_plan).signature_ok

    remove_plan_guards(connection)
    try:
        Objective.objects.filter(plan=active_plan).update(target_value=20)
    finally:
        install_plan_guards(connection)

    assert not plan_page(plan=active_plan).signature_ok
    body = (
        sign_in(HttpClient(), clinic.therapist_on_team)
        .get(reverse("web:plan_view", args=[clinic.client_a.pk, active_plan.pk]))
        .content.decode()
    )
    assert "no longer matches what the client agreed to" in body
